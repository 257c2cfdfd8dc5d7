//! The append-only history of each instance: who, what, when, comment, form snapshot hash.
use super::m20261121_000010_create_wf_instances::WfInstances;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
pub enum WfHistory {
    Table,
    Id,
    InstanceId,
    Seq,
    ActorId,
    Event,
    Detail,
    Comment,
    FormHash,
    At,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WfHistory::Table)
                .col(big_pk_auto(WfHistory::Id))
                .col(big_integer(WfHistory::InstanceId))
                .col(integer(WfHistory::Seq))
                .col(big_integer_null(WfHistory::ActorId))
                .col(string(WfHistory::Event))
                .col(text(WfHistory::Detail))
                .col(text(WfHistory::Comment))
                .col(string(WfHistory::FormHash))
                .col(timestamp_with_time_zone(WfHistory::At))
                .foreign_key(
                    ForeignKey::create()
                        .from(WfHistory::Table, WfHistory::InstanceId)
                        .to(WfInstances::Table, WfInstances::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("uq_wf_history_instance_id_seq")
                .table(WfHistory::Table)
                .col(WfHistory::InstanceId)
                .col(WfHistory::Seq)
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WfHistory::Table).to_owned()).await
    }
}
