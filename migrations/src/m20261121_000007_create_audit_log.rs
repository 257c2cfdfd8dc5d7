//! The hash-chained audit log and its single-row chain head. Every append first updates the
//! head row, which serialises appends across servers (a row lock on PostgreSQL, the write
//! lock on SQLite), so the chain never forks.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    Seq,
    At,
    ActorId,
    ActorName,
    Action,
    Target,
    ClientAddr,
    Result,
    Detail,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditHead {
    Table,
    Id,
    Seq,
    LastHash,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(AuditLog::Table)
                .col(big_pk_auto(AuditLog::Id))
                .col(big_integer_uniq(AuditLog::Seq))
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(big_integer_null(AuditLog::ActorId))
                .col(string(AuditLog::ActorName))
                .col(string(AuditLog::Action))
                .col(string(AuditLog::Target))
                .col(string(AuditLog::ClientAddr))
                .col(string(AuditLog::Result))
                .col(text(AuditLog::Detail))
                .col(string(AuditLog::PrevHash))
                .col(string(AuditLog::Hash))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("idx_audit_log_at", AuditLog::At),
            ("idx_audit_log_actor", AuditLog::ActorName),
            ("idx_audit_log_action", AuditLog::Action),
        ] {
            m.create_index(Index::create().name(name).table(AuditLog::Table).col(col).to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table(AuditHead::Table)
                .col(big_integer(AuditHead::Id).primary_key())
                .col(big_integer(AuditHead::Seq))
                .col(string(AuditHead::LastHash))
                .to_owned(),
        )
        .await?;
        let genesis = "0".repeat(64);
        m.exec_stmt(
            Query::insert()
                .into_table(AuditHead::Table)
                .columns([AuditHead::Id, AuditHead::Seq, AuditHead::LastHash])
                .values_panic([1.into(), 0.into(), genesis.into()])
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(AuditHead::Table).to_owned()).await?;
        m.drop_table(Table::drop().table(AuditLog::Table).to_owned()).await
    }
}
