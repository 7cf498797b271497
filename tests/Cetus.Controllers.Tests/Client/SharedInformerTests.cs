using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Cetus.Client.Informers;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.Controllers.Tests.Client;

/// <summary>
/// The shared informer's list+watch loop against a scripted list-watch: relist on 410 Gone and on a broken watch
/// (with tombstones for what vanished in between), re-watch without relisting when the server ends a watch normally,
/// bookmarks, and the periodic resync.
/// </summary>
public sealed class SharedInformerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Gone_Relists_AndReportsWhatChangedMeanwhile_WithTombstonesForTheDeleted()
    {
        var listWatch = new ScriptedListWatch();
        listWatch.Lists.Enqueue(([Map("a", "1"), Map("b", "2")], "2"));
        listWatch.Lists.Enqueue(([Map("a", "7"), Map("c", "8")], "8"));
        var events = new Recorder();
        await using var informer = new SharedInformer<V1ConfigMap>(listWatch, TimeSpan.Zero);
        informer.AddEventHandler(events.Handler);
        informer.Start();
        await informer.WaitForSyncAsync(CancellationToken.None);
        var watch = await listWatch.NextWatchAsync();
        Assert.Equal("2", watch.From);

        // The server has compacted past "2": the informer lists again.
        await watch.Events.Writer.WriteAsync((WatchEventType.Error, null));
        var second = await listWatch.NextWatchAsync();
        Assert.Equal("8", second.From);
        Assert.Equal(2, listWatch.ListCalls);
        Assert.Equal(["add a 1", "add b 2", "delete b 2 (final state unknown)", "update a 1→7", "add c 8"], events.Lines);
        Assert.Equal(["a", "c"], informer.Store.List().Select(m => m.Metadata.Name).Order());
        Assert.Equal("8", informer.LastSyncResourceVersion);
    }

    [Fact]
    public async Task BrokenWatch_RelistsAfterABackoff()
    {
        var listWatch = new ScriptedListWatch();
        listWatch.Lists.Enqueue(([Map("a", "1")], "1"));
        listWatch.Lists.Enqueue(([Map("a", "1")], "3"));
        await using var informer = new SharedInformer<V1ConfigMap>(listWatch, TimeSpan.Zero);
        informer.Start();
        var watch = await listWatch.NextWatchAsync();
        watch.Events.Writer.Complete(new IOException("connection reset"));
        var started = DateTime.UtcNow;
        var second = await listWatch.NextWatchAsync();
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(150), "relisted without a backoff");
        Assert.Equal("3", second.From);
        Assert.Equal(2, listWatch.ListCalls);
    }

    [Fact]
    public async Task WatchClosedNormally_WatchesAgainFromTheLastVersion_WithoutRelisting_AndBookmarksMoveIt()
    {
        var listWatch = new ScriptedListWatch();
        listWatch.Lists.Enqueue(([Map("a", "1")], "1"));
        var events = new Recorder();
        await using var informer = new SharedInformer<V1ConfigMap>(listWatch, TimeSpan.Zero);
        informer.AddEventHandler(events.Handler);
        informer.Start();
        var watch = await listWatch.NextWatchAsync();
        await watch.Events.Writer.WriteAsync((WatchEventType.Modified, Map("a", "4")));
        await watch.Events.Writer.WriteAsync((WatchEventType.Added, Map("b", "5")));
        await watch.Events.Writer.WriteAsync((WatchEventType.Deleted, Map("a", "6")));
        await watch.Events.Writer.WriteAsync((WatchEventType.Bookmark, new V1ConfigMap { Metadata = new V1ObjectMeta { ResourceVersion = "9" } }));
        watch.Events.Writer.Complete();

        var next = await listWatch.NextWatchAsync();
        Assert.Equal("9", next.From);
        Assert.Equal(1, listWatch.ListCalls);
        Assert.Equal(["add a 1", "update a 1→4", "add b 5", "delete a 6"], events.Lines);
    }

    [Fact]
    public async Task Resync_ReplaysTheCacheAsUpdates()
    {
        var listWatch = new ScriptedListWatch();
        listWatch.Lists.Enqueue(([Map("a", "1"), Map("b", "2")], "2"));
        var events = new Recorder();
        await using var informer = new SharedInformer<V1ConfigMap>(listWatch, TimeSpan.FromMilliseconds(100));
        informer.AddEventHandler(events.Handler);
        informer.Start();
        await listWatch.NextWatchAsync();
        var deadline = DateTime.UtcNow + Patience;
        while (!(events.Lines.Contains("update a 1→1") && events.Lines.Contains("update b 2→2")))
        {
            Assert.True(DateTime.UtcNow < deadline, "no resync: " + string.Join(", ", events.Lines));
            await Task.Delay(20);
        }

        Assert.Equal(1, listWatch.ListCalls);
    }

    [Fact]
    public async Task FactoriesOverTheSameSources_ShareOneListAndWatchAndCache_EachWithItsOwnHandlers()
    {
        var listWatch = new ScriptedListWatch();
        listWatch.Lists.Enqueue(([Map("a", "1")], "1"));
        var unused = new ScriptedListWatch();
        var sources = new SharedInformerSources();
        using var client = NoClient();
        await using var first = new SharedInformerFactory(client, TimeSpan.Zero, sources: sources);
        await using var second = new SharedInformerFactory(client, TimeSpan.Zero, sources: sources);
        var firstEvents = new Recorder();
        var secondEvents = new Recorder();
        first.For(() => listWatch).AddEventHandler(firstEvents.Handler);
        second.For<V1ConfigMap>(() => unused).AddEventHandler(secondEvents.Handler);
        first.Start();
        second.Start();
        await first.WaitForCacheSyncAsync(CancellationToken.None);
        await second.WaitForCacheSyncAsync(CancellationToken.None);
        var watch = await listWatch.NextWatchAsync();
        await watch.Events.Writer.WriteAsync((WatchEventType.Added, Map("b", "2")));
        await Eventually(() => secondEvents.Lines.Count == 2 && firstEvents.Lines.Count == 2);

        Assert.Equal(["add a 1", "add b 2"], firstEvents.Lines);
        Assert.Equal(["add a 1", "add b 2"], secondEvents.Lines);
        Assert.Same(first.For<V1ConfigMap>(() => unused).Store, second.For<V1ConfigMap>(() => unused).Store);
        Assert.Equal(1, listWatch.ListCalls);
        Assert.Equal(0, unused.ListCalls);
    }

    [Fact]
    public async Task AFactoryJoiningLater_GetsAnAddForEachCachedObjectFirst_ThenTheEvents()
    {
        var listWatch = new ScriptedListWatch();
        listWatch.Lists.Enqueue(([Map("a", "1")], "1"));
        var sources = new SharedInformerSources();
        using var client = NoClient();
        await using var first = new SharedInformerFactory(client, TimeSpan.Zero, sources: sources);
        first.For(() => listWatch);
        first.Start();
        var watch = await listWatch.NextWatchAsync();
        await watch.Events.Writer.WriteAsync((WatchEventType.Added, Map("b", "2")));
        await Eventually(() => first.For(() => listWatch).Store.Count == 2);

        await using var later = new SharedInformerFactory(client, TimeSpan.Zero, sources: sources);
        var events = new Recorder();
        later.For(() => listWatch).AddEventHandler(events.Handler);
        Assert.Equal(["add a 1", "add b 2"], events.Lines.Order());
        later.Start();
        await later.WaitForCacheSyncAsync(CancellationToken.None);
        Assert.Equal(2, events.Lines.Count);
        await watch.Events.Writer.WriteAsync((WatchEventType.Modified, Map("a", "3")));
        await Eventually(() => events.Lines.Count == 3);
        Assert.Equal("update a 1→3", events.Lines[2]);
        Assert.Equal(1, listWatch.ListCalls);
    }

    [Fact]
    public async Task StoppingOneFactory_LeavesTheOthersWatching_StoppingTheLast_StopsTheWatchAndDropsTheCache()
    {
        var listWatch = new ScriptedListWatch();
        listWatch.Lists.Enqueue(([Map("a", "1")], "1"));
        listWatch.Lists.Enqueue(([Map("c", "5")], "5"));
        var sources = new SharedInformerSources();
        using var client = NoClient();
        var first = new SharedInformerFactory(client, TimeSpan.Zero, sources: sources);
        var second = new SharedInformerFactory(client, TimeSpan.Zero, sources: sources);
        var firstEvents = new Recorder();
        var secondEvents = new Recorder();
        first.For(() => listWatch).AddEventHandler(firstEvents.Handler);
        var shared = second.For(() => listWatch);
        shared.AddEventHandler(secondEvents.Handler);
        first.Start();
        second.Start();
        var watch = await listWatch.NextWatchAsync();

        await first.DisposeAsync();
        await watch.Events.Writer.WriteAsync((WatchEventType.Added, Map("b", "2")));
        await Eventually(() => secondEvents.Lines.Count == 2);
        Assert.Equal(["add a 1"], firstEvents.Lines);
        Assert.Equal(0, listWatch.EndedWatches);

        // A component that asked for the informer but has not started it hears of the drop as deletions.
        var idle = new SharedInformerFactory(client, TimeSpan.Zero, sources: sources);
        var idleEvents = new Recorder();
        idle.For(() => listWatch).AddEventHandler(idleEvents.Handler);
        await second.DisposeAsync();
        Assert.Equal(1, listWatch.EndedWatches);
        Assert.Equal(["add a 1", "add b 2", "delete a 1 (final state unknown)", "delete b 2 (final state unknown)"], idleEvents.Lines);
        await idle.DisposeAsync();
        Assert.Equal(0, shared.Store.Count);
        Assert.False(shared.HasSynced);

        // The next component to start lists afresh.
        await using var third = new SharedInformerFactory(client, TimeSpan.Zero, sources: sources);
        var thirdEvents = new Recorder();
        third.For(() => listWatch).AddEventHandler(thirdEvents.Handler);
        third.Start();
        await third.WaitForCacheSyncAsync(CancellationToken.None);
        Assert.Equal(["add c 5"], thirdEvents.Lines);
        Assert.Equal(2, listWatch.ListCalls);
        Assert.Equal(["add a 1", "add b 2"], secondEvents.Lines);
    }

    [Fact]
    public async Task SharedCache_ResyncsOnlyTheFactoryThatAskedForIt()
    {
        var listWatch = new ScriptedListWatch();
        listWatch.Lists.Enqueue(([Map("a", "1")], "1"));
        var sources = new SharedInformerSources();
        using var client = NoClient();
        await using var resyncing = new SharedInformerFactory(client, TimeSpan.FromMilliseconds(50), sources: sources);
        await using var quiet = new SharedInformerFactory(client, TimeSpan.Zero, sources: sources);
        var resyncEvents = new Recorder();
        var quietEvents = new Recorder();
        resyncing.For(() => listWatch).AddEventHandler(resyncEvents.Handler);
        quiet.For(() => listWatch).AddEventHandler(quietEvents.Handler);
        resyncing.Start();
        quiet.Start();
        await Eventually(() => resyncEvents.Lines.Count(l => l == "update a 1→1") >= 2);
        Assert.Equal(["add a 1"], quietEvents.Lines);
    }

    private static Kubernetes NoClient() => new(new KubernetesClientConfiguration { Host = "https://127.0.0.1:1" });

    private static async Task Eventually(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }

    private static V1ConfigMap Map(string name, string resourceVersion) =>
        new() { Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", ResourceVersion = resourceVersion } };

    private sealed class Recorder
    {
        private readonly List<string> _lines = [];

        public Recorder() => Handler = new ResourceEventHandler<V1ConfigMap>
        {
            OnAdd = m => Add($"add {m.Metadata.Name} {m.Metadata.ResourceVersion}"),
            OnUpdate = (old, m) => Add($"update {m.Metadata.Name} {old.Metadata.ResourceVersion}→{m.Metadata.ResourceVersion}"),
            OnDelete = d => Add($"delete {d.Object.Metadata.Name} {d.Object.Metadata.ResourceVersion}{(d.FinalStateUnknown ? " (final state unknown)" : string.Empty)}"),
        };

        public ResourceEventHandler<V1ConfigMap> Handler { get; }

        public List<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        private void Add(string line)
        {
            lock (_lines)
            {
                _lines.Add(line);
            }
        }
    }

    private sealed record Watch(string From, Channel<(WatchEventType, V1ConfigMap?)> Events);

    // Lists answer from a queue; each watch is a channel the test writes events into (completing it ends the watch,
    // completing it with an exception breaks it).
    private sealed class ScriptedListWatch : IListWatch<V1ConfigMap>
    {
        private readonly Channel<Watch> _watches = Channel.CreateUnbounded<Watch>();
        private int _listCalls;
        private int _endedWatches;

        public Queue<(IReadOnlyList<V1ConfigMap> Items, string ResourceVersion)> Lists { get; } = new();

        public int ListCalls => Volatile.Read(ref _listCalls);

        public int EndedWatches => Volatile.Read(ref _endedWatches);

        public Task<(IReadOnlyList<V1ConfigMap> Items, string ResourceVersion)> ListAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _listCalls);
            lock (Lists)
            {
                return Task.FromResult(Lists.Count > 1 ? Lists.Dequeue() : Lists.Peek());
            }
        }

        public async IAsyncEnumerable<(WatchEventType Type, V1ConfigMap? Object)> WatchAsync(string resourceVersion, TimeSpan timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var watch = new Watch(resourceVersion, Channel.CreateUnbounded<(WatchEventType, V1ConfigMap?)>());
            await _watches.Writer.WriteAsync(watch, cancellationToken);
            try
            {
                await foreach (var item in watch.Events.Reader.ReadAllAsync(cancellationToken))
                {
                    yield return item;
                }
            }
            finally
            {
                Interlocked.Increment(ref _endedWatches);
            }
        }

        public async Task<Watch> NextWatchAsync() => await _watches.Reader.ReadAsync().AsTask().WaitAsync(Patience);
    }
}
