"""letters to officials: senders, letters, counters, replies, drip settings

Revision ID: c55ef3c60218
Revises: eea075c41502
Create Date: 2026-11-24 22:19:51.698556
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'c55ef3c60218'
down_revision: str | None = 'eea075c41502'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('letter_count',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('event', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['letter_campaign.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['official_id'], ['official.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'official_id', 'day', 'event')
    )
    op.create_table('letter_sender',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('email_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('city', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('country', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
    sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('token_nonce', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('mails_sent', sa.Integer(), nullable=False),
    sa.Column('ask_about_reply', sa.Boolean(), nullable=False),
    sa.Column('followup_sent', sa.Boolean(), nullable=False),
    sa.Column('reply_reported', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('reply_note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('ip_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('confirmed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['letter_campaign.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'email_hash', name='uq_letter_sender_email')
    )
    with op.batch_alter_table('letter_sender', schema=None) as batch_op:
        batch_op.create_index('ix_letter_sender_followup', ['status', 'followup_sent', 'confirmed_at'], unique=False)

    op.create_table('official_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('file_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['letter_campaign.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['official_id'], ['official.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('official_reply', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_reply_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('letter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('to_addr', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('released_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['letter_campaign.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['official_id'], ['official.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox_message.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sender_id'], ['letter_sender.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sender_id', 'official_id', name='uq_letter_sender_official')
    )
    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_official_id'), ['official_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_outbox_id'), ['outbox_id'], unique=False)
        batch_op.create_index('ix_letter_release', ['campaign_id', 'official_id', 'status', 'released_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_sender_id'), ['sender_id'], unique=False)

    with op.batch_alter_table('campaign_target', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('letter_campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_paragraph', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False, server_default='optional'))
        batch_op.add_column(sa.Column('prisoner_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('prisoner_details', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('petition_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('delivery_paused', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('hourly_cap', sa.Integer(), nullable=False, server_default='30'))
        batch_op.add_column(sa.Column('daily_cap', sa.Integer(), nullable=False, server_default='200'))
        batch_op.add_column(sa.Column('send_from_hour', sa.Integer(), nullable=False, server_default='8'))
        batch_op.add_column(sa.Column('send_until_hour', sa.Integer(), nullable=False, server_default='18'))
        batch_op.add_column(sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default='UTC'))
        batch_op.create_foreign_key('fk_letter_campaign_petition', 'petition', ['petition_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('letter_campaign', schema=None) as batch_op:
        batch_op.drop_constraint('fk_letter_campaign_petition', type_='foreignkey')
        batch_op.drop_column('timezone')
        batch_op.drop_column('send_until_hour')
        batch_op.drop_column('send_from_hour')
        batch_op.drop_column('daily_cap')
        batch_op.drop_column('hourly_cap')
        batch_op.drop_column('delivery_paused')
        batch_op.drop_column('petition_id')
        batch_op.drop_column('prisoner_details')
        batch_op.drop_column('prisoner_name')
        batch_op.drop_column('personal_paragraph')

    with op.batch_alter_table('campaign_target', schema=None) as batch_op:
        batch_op.drop_column('paused')

    with op.batch_alter_table('letter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_sender_id'))
        batch_op.drop_index('ix_letter_release')
        batch_op.drop_index(batch_op.f('ix_letter_outbox_id'))
        batch_op.drop_index(batch_op.f('ix_letter_official_id'))

    op.drop_table('letter')
    with op.batch_alter_table('official_reply', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_reply_campaign_id'))

    op.drop_table('official_reply')
    with op.batch_alter_table('letter_sender', schema=None) as batch_op:
        batch_op.drop_index('ix_letter_sender_followup')

    op.drop_table('letter_sender')
    op.drop_table('letter_count')
