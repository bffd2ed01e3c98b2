"""Saved, edited and deleted transactions announce the change once, after commit."""

from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from dashboard import services
from dashboard.models import Transaction
from dashboard.signals import transactions_changed
from live import broadcast

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


@pytest.fixture
def listen(settings):
    """Join a fresh channel to a user's group; returns a function draining its messages.

    These tests pin what is announced and when, so they listen on the in-memory layer
    whatever REDIS_URL says; the Redis path is covered by test_consumers and test_cluster.
    """
    settings.CHANNEL_LAYERS = IN_MEMORY
    layer = get_channel_layer()

    def join(user_id: int):
        channel = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(broadcast.user_group(user_id), channel)

        def drain() -> list[dict]:
            messages = []
            queue = layer.channels.get(channel)
            while queue is not None and not queue.empty():
                messages.append(async_to_sync(layer.receive)(channel))
            return messages

        return drain

    yield join
    async_to_sync(layer.flush)()


def test_create_announces_after_commit(make_user, listen, django_capture_on_commit_callbacks):
    user = make_user()
    drain = listen(user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.transaction_create(user=user, amount="12.50")
        assert drain() == []  # nothing before the commit
    assert drain() == [{"type": "summary.changed"}]


def test_edit_and_delete_announce(make_user, make_txn, listen, django_capture_on_commit_callbacks):
    user = make_user()
    txn = make_txn(user, "1")
    drain = listen(user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.transaction_update(txn=txn, amount="2")
    assert drain() == [{"type": "summary.changed"}]
    with django_capture_on_commit_callbacks(execute=True):
        services.transaction_delete(txn=txn)
    assert drain() == [{"type": "summary.changed"}]


def test_rollback_announces_nothing(make_user, listen, django_capture_on_commit_callbacks):
    user = make_user()
    drain = listen(user.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.transaction_create(user=user, amount="99")
            raise RuntimeError("import failed half way")
    assert callbacks == []
    assert drain() == []
    assert not Transaction.objects.exists()


def test_announcement_after_rollback_is_not_lost(make_user, listen,
                                                 django_capture_on_commit_callbacks):
    """A rolled-back savepoint drops its queued announcement; the next save queues anew."""
    user = make_user()
    drain = listen(user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            services.transaction_create(user=user, amount="1")
            raise RuntimeError
        services.transaction_create(user=user, amount="2")
    assert drain() == [{"type": "summary.changed"}]


def test_many_saves_in_one_transaction_announce_once(make_user, listen,
                                                     django_capture_on_commit_callbacks):
    user = make_user()
    drain = listen(user.pk)
    with django_capture_on_commit_callbacks(execute=True):
        for cents in range(1000):
            Transaction.objects.create(user=user, amount=Decimal(cents) / 100)
    assert drain() == [{"type": "summary.changed"}]


def test_moving_a_transaction_announces_to_both_users(make_user, make_txn, listen,
                                                      django_capture_on_commit_callbacks):
    alice, bob = make_user(), make_user()
    txn = Transaction.objects.get(pk=make_txn(alice, "5").pk)  # loaded from the database
    alice_drain, bob_drain = listen(alice.pk), listen(bob.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.transaction_update(txn=txn, user=bob)
    assert alice_drain() == [{"type": "summary.changed"}]
    assert bob_drain() == [{"type": "summary.changed"}]


def test_other_users_are_not_told(make_user, listen, django_capture_on_commit_callbacks):
    alice, bob = make_user(), make_user()
    bob_drain = listen(bob.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.transaction_create(user=alice, amount="3")
    assert bob_drain() == []


def test_bulk_signal_announces_each_user_once(make_user, listen,
                                              django_capture_on_commit_callbacks):
    alice, bob = make_user(), make_user()
    alice_drain, bob_drain = listen(alice.pk), listen(bob.pk)
    with django_capture_on_commit_callbacks(execute=True):
        Transaction.objects.bulk_create(
            [Transaction(user=alice, amount=1), Transaction(user=bob, amount=2)]
        )
        transactions_changed.send(sender=Transaction, user_ids={alice.pk, bob.pk})
    assert alice_drain() == [{"type": "summary.changed"}]
    assert bob_drain() == [{"type": "summary.changed"}]
