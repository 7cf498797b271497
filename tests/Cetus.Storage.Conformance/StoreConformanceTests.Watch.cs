using System.Collections.Concurrent;
using Xunit;

namespace Cetus.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Watch_DeliversPutsAndDeletes_WithPreviousValues()
    {
        var start = await Store.GetCurrentRevisionAsync();
        var created = await MustCreate("w/a", "v1");
        var updated = await Store.UpdateAsync(Key("w/a"), Bytes("v2"), created.Revision);
        var deleted = await Store.DeleteAsync(Key("w/a"));
        await MustCreate("other/a", "not watched");

        var events = await CollectAsync(Store.WatchAsync(Key("w/"), start), e => e.Count == 3);

        Assert.Equal([WatchEventType.Put, WatchEventType.Put, WatchEventType.Delete], events.Select(e => e.Type));
        Assert.Equal([created.Revision, updated.Revision, deleted.Revision], events.Select(e => e.Revision));
        Assert.True(events[0].IsCreate);
        Assert.Null(events[0].PrevKv);
        Assert.Equal("v1", Text(events[0].Kv.Value));
        Assert.False(events[1].IsCreate);
        Assert.Equal("v1", Text(events[1].PrevKv!.Value));
        Assert.Equal(created.Revision, events[1].Kv.CreateRevision);
        Assert.Equal(Key("w/a"), events[2].Kv.Key);
        Assert.Equal("v2", Text(events[2].PrevKv!.Value));
    }

    [Fact]
    public async Task Watch_FromARevision_While8WritersWrite_SeesExactlyTheLaterEventsInOrder()
    {
        // History before the watch's revision, which it must not replay.
        for (var i = 0; i < 50; i++)
        {
            await MustCreate($"pods/pre-{i}", "old");
        }

        var from = await Store.GetCurrentRevisionAsync();
        var written = new ConcurrentDictionary<long, (WatchEventType Type, string Key, string Value)>();
        const int writers = 8;
        const int opsEach = 120;
        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var expectedCount = writers * opsEach;
        // Start watching mid-stream: part of what it sees comes from history, part live.
        var writing = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var n = 0; n < opsEach; n += 3)
            {
                var key = Key($"pods/w{w}-{n}");
                var created = await Store.CreateAsync(key, Bytes($"c{w}.{n}"));
                written[created.Revision] = (WatchEventType.Put, key, $"c{w}.{n}");
                var updated = await Store.UpdateAsync(key, Bytes($"u{w}.{n}"), created.Revision);
                written[updated.Revision] = (WatchEventType.Put, key, $"u{w}.{n}");
                var deleted = await Store.DeleteAsync(key, updated.Revision);
                written[deleted.Revision] = (WatchEventType.Delete, key, string.Empty);
            }
        })).ToList();
        var collect = Task.Run(() => CollectAsync(Store.WatchAsync(Key("pods/"), from), e => e.Count >= expectedCount, 120));
        await Task.WhenAll(writing);
        var events = await collect;

        Assert.Equal(expectedCount, written.Count);
        Assert.Equal(written.Keys.Order(), events.Select(e => e.Revision));
        foreach (var change in events)
        {
            var expected = written[change.Revision];
            Assert.Equal(expected.Type, change.Type);
            Assert.Equal(expected.Key, change.Kv.Key);
            Assert.Equal(expected.Value, Text(change.Kv.Value));
        }

        // Nothing more arrives: no duplicate and no event from another prefix.
        await MustCreate("elsewhere/x", "x");
        var tail = await MustCreate("pods/last", "x");
        var after = await CollectAsync(Store.WatchAsync(Key("pods/"), events[^1].Revision), e => e.Count == 1);
        Assert.Equal(tail.Revision, Assert.Single(after).Revision);
    }

    [Fact]
    public async Task Watch_ASlowReader_StillSeesEveryEventOnce()
    {
        var from = await Store.GetCurrentRevisionAsync();
        const int total = 12_000;
        await using var watch = Store.WatchAsync(Key("slow/"), from).GetAsyncEnumerator(Timeout(120));
        var pending = watch.MoveNextAsync();

        // Written while nobody reads the watch: a backend may buffer or cut off the reader, but must not lose or repeat.
        await Parallel.ForEachAsync(Enumerable.Range(0, total), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            Assert.True((await Store.CreateAsync(Key($"slow/{i:d5}"), Bytes("x"), cancellationToken: ct)).Succeeded));

        var revisions = new List<long>();
        while (revisions.Count < total && await pending)
        {
            revisions.Add(watch.Current.Revision);
            if (revisions.Count < total)
            {
                pending = watch.MoveNextAsync();
            }
        }

        Assert.Equal(total, revisions.Count);
        Assert.Equal(revisions.Order(), revisions);
        Assert.Equal(total, revisions.Distinct().Count());
    }

    [Fact]
    public async Task Watch_Cancelled_EndsPromptly()
    {
        using var cancel = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            await foreach (var unused in Store.WatchAsync(Key("idle/"), await Store.GetCurrentRevisionAsync(), cancel.Token))
            {
            }
        });
        await MustCreate("elsewhere/a", "x");

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await cancel.CancelAsync();
        var error = await Record.ExceptionAsync(() => watch.WaitAsync(TimeSpan.FromSeconds(5)));

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"the watch took {stopwatch.Elapsed} to end");
    }

    [Fact]
    public async Task Watch_FromACompactedRevision_FailsAsTooOld_AndFromTheCompactionPointWorks()
    {
        var a = await MustCreate("cmp/a", "1");
        var b = await Store.UpdateAsync(Key("cmp/a"), Bytes("2"), a.Revision);
        var c = await Store.UpdateAsync(Key("cmp/a"), Bytes("3"), b.Revision);

        await Store.CompactAsync(b.Revision);

        var error = await Assert.ThrowsAsync<StoreException>(() => CollectAsync(Store.WatchAsync(Key("cmp/"), a.Revision), _ => true, 10));
        Assert.Equal(StoreError.Compacted, error.Error);
        var fromPoint = await CollectAsync(Store.WatchAsync(Key("cmp/"), b.Revision), e => e.Count == 1);
        Assert.Equal(c.Revision, fromPoint[0].Revision);
        Assert.Equal("2", Text(fromPoint[0].PrevKv!.Value));
    }
}
