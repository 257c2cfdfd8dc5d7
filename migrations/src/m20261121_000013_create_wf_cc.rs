//! Who each instance was copied to (抄送), for the "CC'd to me" list.
use super::m20261121_000010_create_wf_instances::WfInstances;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum WfCc {
    Table,
    Id,
    InstanceId,
    UserId,
    NodeId,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WfCc::Table)
                .col(big_pk_auto(WfCc::Id))
                .col(big_integer(WfCc::InstanceId))
                .col(big_integer(WfCc::UserId))
                .col(string(WfCc::NodeId))
                .col(timestamp_with_time_zone(WfCc::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WfCc::Table, WfCc::InstanceId)
                        .to(WfInstances::Table, WfInstances::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("idx_wf_cc_user_id").table(WfCc::Table).col(WfCc::UserId).to_owned())
            .await?;
        m.create_index(
            Index::create()
                .name("uq_wf_cc_instance_id_user_id_node_id")
                .table(WfCc::Table)
                .col(WfCc::InstanceId)
                .col(WfCc::UserId)
                .col(WfCc::NodeId)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WfCc::Table).to_owned()).await
    }
}
