using System.Threading.Channels;

namespace Cetus.Storage.Sqlite;

/// <summary>
/// Hands each committed change to the watches whose prefix it matches. Subscribing and publishing share one lock,
/// so a new subscriber learns exactly which revision its live feed starts after; older changes it reads from the log.
/// </summary>
internal sealed class WatchBroadcaster
{
    private readonly Lock _gate = new();
    private readonly int _capacity;
    private Subscription[] _subscriptions = [];
    private long _revision;

    public WatchBroadcaster(long revision, int capacity)
    {
        _revision = revision;
        _capacity = capacity;
    }

    /// <summary>Starts a live feed for keys under <paramref name="prefix"/>; it receives every change after <paramref name="revision"/>.</summary>
    public Subscription Subscribe(string prefix, out long revision)
    {
        var subscription = new Subscription(this, prefix, _capacity);
        lock (_gate)
        {
            revision = _revision;
            _subscriptions = [.. _subscriptions, subscription];
        }

        return subscription;
    }

    /// <summary>Publishes the changes of one commit, in revision order, and the revision the store is now at.</summary>
    public void Publish(List<WatchEvent> events, long revision)
    {
        lock (_gate)
        {
            _revision = revision;
            foreach (var subscription in _subscriptions)
            {
                foreach (var change in events)
                {
                    if (change.Kv.Key.StartsWith(subscription.Prefix, StringComparison.Ordinal))
                    {
                        subscription.Offer(change);
                    }
                }
            }
        }
    }

    /// <summary>Ends every feed (the store is closing).</summary>
    public void CloseAll()
    {
        lock (_gate)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Close();
            }

            _subscriptions = [];
        }
    }

    private void Remove(Subscription subscription)
    {
        lock (_gate)
        {
            _subscriptions = Array.FindAll(_subscriptions, s => s != subscription);
        }
    }

    /// <summary>
    /// One watch's live feed. A watcher that falls more than the capacity behind is cut off rather than buffering
    /// without bound; it then catches up from the log, so it still sees every change exactly once.
    /// </summary>
    internal sealed class Subscription : IDisposable
    {
        private readonly WatchBroadcaster _owner;
        private readonly Channel<WatchEvent> _channel;

        public Subscription(WatchBroadcaster owner, string prefix, int capacity)
        {
            _owner = owner;
            Prefix = prefix;
            _channel = Channel.CreateBounded<WatchEvent>(new BoundedChannelOptions(capacity)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
        }

        public string Prefix { get; }

        /// <summary>True when the feed was cut off because the watcher fell behind.</summary>
        public bool Overflowed { get; private set; }

        public ChannelReader<WatchEvent> Reader => _channel.Reader;

        public void Offer(WatchEvent change)
        {
            if (!_channel.Writer.TryWrite(change) && !Overflowed)
            {
                Overflowed = true;
                _channel.Writer.TryComplete();
            }
        }

        public void Close() => _channel.Writer.TryComplete();

        public void Dispose()
        {
            _owner.Remove(this);
            _channel.Writer.TryComplete();
        }
    }
}
