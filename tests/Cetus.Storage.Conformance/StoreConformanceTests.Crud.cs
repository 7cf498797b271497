using Xunit;

namespace Cetus.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Create_ThenGet_ReturnsValueWithItsRevisions()
    {
        var created = await MustCreate("pods/default/web-1", "v1");

        var got = await Store.GetAsync(Key("pods/default/web-1"));

        Assert.NotNull(got);
        Assert.Equal("v1", Text(got.Value));
        Assert.Equal(created.Revision, got.ModRevision);
        Assert.Equal(created.Revision, got.CreateRevision);
        Assert.Equal(created.Revision, await Store.GetCurrentRevisionAsync());
    }

    [Fact]
    public async Task Get_MissingKey_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync(Key("pods/default/nothing")));
    }

    [Fact]
    public async Task Create_ExistingKey_ReturnsAlreadyExistsWithTheStoredValue()
    {
        var first = await MustCreate("cm/a", "first");

        var second = await Store.CreateAsync(Key("cm/a"), Bytes("second"));

        Assert.Equal(WriteStatus.AlreadyExists, second.Status);
        Assert.Equal("first", Text(second.Kv!.Value));
        var stored = await Store.GetAsync(Key("cm/a"));
        Assert.Equal("first", Text(stored!.Value));
        Assert.Equal(first.Revision, stored.ModRevision);
    }

    [Fact]
    public async Task Writes_GetStrictlyIncreasingRevisions()
    {
        var revisions = new List<long>();
        for (var i = 0; i < 20; i++)
        {
            revisions.Add((await MustCreate($"r/{i}", "x")).Revision);
        }

        var updated = await Store.UpdateAsync(Key("r/0"), Bytes("y"), revisions[0]);
        var deleted = await Store.DeleteAsync(Key("r/1"));
        revisions.Add(updated.Revision);
        revisions.Add(deleted.Revision);

        Assert.All(revisions.Zip(revisions.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"{pair.Second} after {pair.First}"));
        Assert.Equal(revisions[^1], await Store.GetCurrentRevisionAsync());
    }

    [Fact]
    public async Task Update_AtCurrentRevision_ReplacesValueAndKeepsCreateRevision()
    {
        var created = await MustCreate("deploy/web", "v1");

        var updated = await Store.UpdateAsync(Key("deploy/web"), Bytes("v2"), created.Revision);

        Assert.Equal(WriteStatus.Succeeded, updated.Status);
        Assert.True(updated.Revision > created.Revision);
        var got = await Store.GetAsync(Key("deploy/web"));
        Assert.Equal("v2", Text(got!.Value));
        Assert.Equal(created.Revision, got.CreateRevision);
        Assert.Equal(updated.Revision, got.ModRevision);
        Assert.Equal(created.Revision, updated.Kv!.CreateRevision);
    }

    [Fact]
    public async Task Update_AtStaleRevision_ReturnsConflictWithCurrentValue_AndWritesNothing()
    {
        var created = await MustCreate("deploy/web", "v1");
        var second = await Store.UpdateAsync(Key("deploy/web"), Bytes("v2"), created.Revision);

        var stale = await Store.UpdateAsync(Key("deploy/web"), Bytes("v3"), created.Revision);

        Assert.Equal(WriteStatus.Conflict, stale.Status);
        Assert.Equal("v2", Text(stale.Kv!.Value));
        Assert.Equal(second.Revision, stale.Kv.ModRevision);
        Assert.Equal("v2", Text((await Store.GetAsync(Key("deploy/web")))!.Value));
    }

    [Fact]
    public async Task Update_MissingKey_ReturnsNotFound_AndCreatesNothing()
    {
        var result = await Store.UpdateAsync(Key("deploy/ghost"), Bytes("v"), 1);

        Assert.Equal(WriteStatus.NotFound, result.Status);
        Assert.Null(await Store.GetAsync(Key("deploy/ghost")));
    }

    [Fact]
    public async Task Delete_Unconditional_RemovesKeyAndReturnsDeletedValue()
    {
        var created = await MustCreate("secrets/s", "data");

        var deleted = await Store.DeleteAsync(Key("secrets/s"));

        Assert.Equal(WriteStatus.Succeeded, deleted.Status);
        Assert.Equal("data", Text(deleted.Kv!.Value));
        Assert.Equal(created.Revision, deleted.Kv.ModRevision);
        Assert.True(deleted.Revision > created.Revision);
        Assert.Null(await Store.GetAsync(Key("secrets/s")));
    }

    [Fact]
    public async Task Delete_AtStaleRevision_ReturnsConflict_AndKeepsKey()
    {
        var created = await MustCreate("secrets/s", "v1");
        await Store.UpdateAsync(Key("secrets/s"), Bytes("v2"), created.Revision);

        var result = await Store.DeleteAsync(Key("secrets/s"), created.Revision);

        Assert.Equal(WriteStatus.Conflict, result.Status);
        Assert.Equal("v2", Text(result.Kv!.Value));
        Assert.NotNull(await Store.GetAsync(Key("secrets/s")));
    }

    [Fact]
    public async Task Delete_AtCurrentRevision_Succeeds()
    {
        var created = await MustCreate("secrets/s", "v1");

        var result = await Store.DeleteAsync(Key("secrets/s"), created.Revision);

        Assert.Equal(WriteStatus.Succeeded, result.Status);
        Assert.Null(await Store.GetAsync(Key("secrets/s")));
    }

    [Fact]
    public async Task Delete_MissingKey_ReturnsNotFound()
    {
        Assert.Equal(WriteStatus.NotFound, (await Store.DeleteAsync(Key("x/none"))).Status);
        Assert.Equal(WriteStatus.NotFound, (await Store.DeleteAsync(Key("x/none"), 5)).Status);
    }

    [Fact]
    public async Task Create_AfterDelete_StartsANewCreateRevision()
    {
        var first = await MustCreate("ns/a", "1");
        await Store.DeleteAsync(Key("ns/a"));

        var again = await MustCreate("ns/a", "2");

        Assert.True(again.Revision > first.Revision);
        Assert.Equal(again.Revision, (await Store.GetAsync(Key("ns/a")))!.CreateRevision);
    }

    [Fact]
    public async Task ConcurrentCompareAndSwap_16Writers_LoseNoUpdate()
    {
        const int writers = 16;
        const int incrementsEach = 25;
        await MustCreate("counter", "0");
        var revisions = new System.Collections.Concurrent.ConcurrentBag<long>();

        var tasks = Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            for (var done = 0; done < incrementsEach;)
            {
                var current = await Store.GetAsync(Key("counter"));
                var next = int.Parse(Text(current!.Value), System.Globalization.CultureInfo.InvariantCulture) + 1;
                var result = await Store.UpdateAsync(Key("counter"), Bytes(next.ToString(System.Globalization.CultureInfo.InvariantCulture)), current.ModRevision);
                if (result.Succeeded)
                {
                    revisions.Add(result.Revision);
                    done++;
                }
                else
                {
                    Assert.Equal(WriteStatus.Conflict, result.Status);
                }
            }
        }));
        await Task.WhenAll(tasks);

        Assert.Equal((writers * incrementsEach).ToString(System.Globalization.CultureInfo.InvariantCulture), Text((await Store.GetAsync(Key("counter")))!.Value));
        Assert.Equal(writers * incrementsEach, revisions.Distinct().Count());
    }

    [Fact]
    public async Task Values_UpTo1_5MiB_RoundTrip()
    {
        var value = new byte[StoreOptions.DefaultMaxValueBytes];
        Random.Shared.NextBytes(value);

        var created = await Store.CreateAsync(Key("big/one"), value);

        Assert.Equal(WriteStatus.Succeeded, created.Status);
        Assert.Equal(value, (await Store.GetAsync(Key("big/one")))!.Value);
        var listed = await Store.ListAsync(Key("big/"));
        Assert.Equal(value, Assert.Single(listed.Items).Value);
    }

    [Theory]
    [InlineData("pods/default/with space")]
    [InlineData("pods/default/ünïcødé")]
    [InlineData("pods/default/日本語")]
    [InlineData("pods/default/emoji-😀")]
    [InlineData("pods/default/a:b%2Fc~d@e+f=g")]
    [InlineData("pods/default/trailing/")]
    [InlineData("pods/default/.hidden")]
    [InlineData("pods/default/\u007f\u00ff")]
    public async Task Keys_WithUnusualButValidCharacters_RoundTrip(string name)
    {
        await MustCreate(name, name);

        Assert.Equal(name, Text((await Store.GetAsync(Key(name)))!.Value));
        var listed = await Store.ListAsync(Key("pods/default/"));
        Assert.Equal(Key(name), Assert.Single(listed.Items).Key);
    }
}
