//! The audit log and its CSV export.

use super::prelude::*;
use app::audit;
use app::audit::api::{AuditFilter, AuditRow};

/// The audit log, newest first (the read is audited).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditFilter),
    responses((status = 200, body = Page<AuditRow>), (status = 403, body = ErrorBody)))]
async fn audit_log(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(f): ApiQuery<AuditFilter>,
) -> ApiResult<Json<Page<AuditRow>>> {
    Ok(Json(audit::server::search(&st, &caller, f).await?))
}

/// The filtered audit log as CSV (UTF-8 with BOM; the export is audited).
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit", params(AuditFilter),
    responses((status = 200, content_type = "text/csv", body = String), (status = 403, body = ErrorBody)))]
async fn audit_export(
    State(st): State<AppState>,
    Extension(caller): Extension<Caller>,
    ApiQuery(f): ApiQuery<AuditFilter>,
) -> ApiResult<Response> {
    let csv = audit::server::export_csv(&st, &caller, f).await?;
    let name = format!("attachment; filename=\"audit-{}.csv\"", app::domain::time::fmt_stamp(st.clock.now()));
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, name),
        ],
        csv,
    )
        .into_response())
}

/// This area's routes with their OpenAPI paths.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit_log)).routes(routes!(audit_export))
}
