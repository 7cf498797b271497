using Xunit;

namespace Cetus.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Compact_KeepsEveryCurrentValue_AndRefusesOlderReads()
    {
        var a = await MustCreate("k/a", "a1");
        await Store.UpdateAsync(Key("k/a"), Bytes("a2"), a.Revision);
        await MustCreate("k/b", "b1");
        await Store.DeleteAsync(Key("k/b"));
        var keep = await MustCreate("k/c", "c1");
        var point = await Store.GetCurrentRevisionAsync();

        await Store.CompactAsync(point);

        Assert.True(await Store.GetCompactRevisionAsync() >= point);
        Assert.Equal(["a2", "c1"], (await Store.ListAsync(Key("k/"))).Items.Select(i => Text(i.Value)));
        Assert.Equal(keep.Revision, (await Store.GetAsync(Key("k/c")))!.ModRevision);
        var error = await Assert.ThrowsAsync<StoreException>(() => Store.ListAsync(Key("k/"), new ListOptions { Revision = a.Revision }));
        Assert.Equal(StoreError.Compacted, error.Error);
        // Compacting again to the same or an older point changes nothing.
        await Store.CompactAsync(point);
        await Store.CompactAsync(a.Revision);
        Assert.Equal(2, await Store.CountAsync(Key("k/")));
    }

    [Fact]
    public async Task Compact_ToAFutureRevision_Fails()
    {
        await MustCreate("k/a", "x");
        var current = await Store.GetCurrentRevisionAsync();
        var error = await Assert.ThrowsAsync<StoreException>(() => Store.CompactAsync(current + 100));
        Assert.Equal(StoreError.FutureRevision, error.Error);
    }

    [Fact]
    public async Task AutomaticCompaction_DiscardsOldHistory_KeepingTheMinimum()
    {
        var store = await OpenAsync(new StoreOptions
        {
            KeyPrefix = Prefix,
            Compaction = new CompactionOptions { Interval = TimeSpan.FromMilliseconds(300), MinRetainedRevisions = 5 },
        });
        var first = await store.CreateAsync(Key("auto/a"), Bytes("0"));
        var last = first;
        for (var i = 1; i <= 20; i++)
        {
            last = await store.UpdateAsync(Key("auto/a"), Bytes($"{i}"), last.Revision);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await store.GetCompactRevisionAsync(timeout.Token) < first.Revision)
        {
            await Task.Delay(50, timeout.Token);
        }

        var compacted = await store.GetCompactRevisionAsync();
        var current = await store.GetCurrentRevisionAsync();
        Assert.True(compacted <= current - 5, $"compacted to {compacted}, but the last 5 revisions up to {current} must stay");
        Assert.Equal("20", Text((await store.GetAsync(Key("auto/a")))!.Value));
        var error = await Assert.ThrowsAsync<StoreException>(() => CollectAsync(store.WatchAsync(Key("auto/"), first.Revision - 1), _ => true, 10));
        Assert.Equal(StoreError.Compacted, error.Error);
    }

    [Fact]
    public async Task TimeToLive_ExpiredKeyIsDeleted_AndWatchesSeeTheDelete()
    {
        var from = await Store.GetCurrentRevisionAsync();
        var stays = await MustCreate("events/stays", "forever");
        var created = await MustCreate("events/short", "brief", new WriteOptions { TimeToLive = TimeSpan.FromSeconds(2) });

        var events = await CollectAsync(Store.WatchAsync(Key("events/"), from), e => e.Any(x => x.Type == WatchEventType.Delete), 30);

        var delete = Assert.Single(events, e => e.Type == WatchEventType.Delete);
        Assert.Equal(Key("events/short"), delete.Kv.Key);
        Assert.True(delete.Revision > created.Revision);
        Assert.Null(await Store.GetAsync(Key("events/short")));
        Assert.Equal(stays.Revision, (await Store.GetAsync(Key("events/stays")))!.ModRevision);
    }
}
