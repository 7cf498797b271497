using System.Text;
using Xunit;

namespace Cetus.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task List_ReturnsOnlyKeysUnderThePrefix_InByteOrder()
    {
        string[] names = ["pods/b/2", "pods/a/1", "pods/a/日", "pods/a/Z", "podsx/a", "pod/a", "pods/a/é"];
        foreach (var name in names)
        {
            await MustCreate(name, name);
        }

        var listed = await Store.ListAsync(Key("pods/"));

        var expected = names.Where(n => n.StartsWith("pods/", StringComparison.Ordinal))
            .Select(Key)
            .OrderBy(k => k, Comparer<string>.Create((x, y) => Encoding.UTF8.GetBytes(x).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y))))
            .ToList();
        Assert.Equal(expected, listed.Items.Select(i => i.Key).ToList());
        Assert.False(listed.HasMore);
        Assert.Equal(await Store.GetCurrentRevisionAsync(), listed.Revision);
        Assert.Equal(5, await Store.CountAsync(Key("pods/")));
    }

    [Fact]
    public async Task List_Pagination_Over10000Keys_ReturnsEachKeyOnce()
    {
        const int total = 10_000;
        await Parallel.ForEachAsync(Enumerable.Range(0, total), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var result = await Store.CreateAsync(Key($"pods/ns/pod-{i:x5}"), Bytes($"pod {i}"), cancellationToken: ct);
            Assert.Equal(WriteStatus.Succeeded, result.Status);
        });
        Assert.Equal(total, await Store.CountAsync(Key("pods/")));

        var seen = new List<string>();
        var first = await Store.ListAsync(Key("pods/"), new ListOptions { Limit = 500 });
        var page = first;
        seen.AddRange(page.Items.Select(i => i.Key));
        // Writes after the first page must not show up in later pages, which read at the first page's revision.
        await MustCreate("pods/ns/pod-zzzzz", "late");
        await Store.DeleteAsync(Key("pods/ns/pod-00000"));
        while (page.HasMore)
        {
            page = await Store.ListAsync(Key("pods/"), new ListOptions { Limit = 500, ContinueAfterKey = page.Items[^1].Key, Revision = first.Revision });
            Assert.Equal(first.Revision, page.Revision);
            seen.AddRange(page.Items.Select(i => i.Key));
        }

        Assert.Equal(total, seen.Count);
        Assert.Equal(total, seen.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, total).Select(i => Key($"pods/ns/pod-{i:x5}")), seen);
    }

    [Fact]
    public async Task List_AtAnOlderRevision_ShowsTheStateThen()
    {
        var a = await MustCreate("cm/a", "a1");
        await MustCreate("cm/b", "b1");
        var then = await Store.GetCurrentRevisionAsync();
        await Store.UpdateAsync(Key("cm/a"), Bytes("a2"), a.Revision);
        await Store.DeleteAsync(Key("cm/b"));
        await MustCreate("cm/c", "c1");

        var old = await Store.ListAsync(Key("cm/"), new ListOptions { Revision = then });
        var now = await Store.ListAsync(Key("cm/"));

        Assert.Equal(then, old.Revision);
        Assert.Equal(["a1", "b1"], old.Items.Select(i => Text(i.Value)));
        Assert.Equal(a.Revision, old.Items[0].ModRevision);
        Assert.Equal(["a2", "c1"], now.Items.Select(i => Text(i.Value)));
    }

    [Fact]
    public async Task List_WithLimit_ReportsWhetherMoreFollow()
    {
        for (var i = 0; i < 3; i++)
        {
            await MustCreate($"l/{i}", "x");
        }

        var two = await Store.ListAsync(Key("l/"), new ListOptions { Limit = 2 });
        var three = await Store.ListAsync(Key("l/"), new ListOptions { Limit = 3 });

        Assert.True(two.HasMore);
        Assert.Equal(2, two.Items.Count);
        Assert.False(three.HasMore);
        Assert.Equal(3, three.Items.Count);
    }

    [Fact]
    public async Task List_AtAFutureRevision_FailsWithFutureRevision()
    {
        await MustCreate("f/a", "x");
        var current = await Store.GetCurrentRevisionAsync();

        var error = await Assert.ThrowsAsync<StoreException>(() => Store.ListAsync(Key("f/"), new ListOptions { Revision = current + 1000 }));

        Assert.Equal(StoreError.FutureRevision, error.Error);
    }

    [Fact]
    public async Task Count_CountsOnlyLiveKeysUnderThePrefix()
    {
        for (var i = 0; i < 7; i++)
        {
            await MustCreate($"c/{i}", "x");
        }

        await MustCreate("cx/0", "x");
        await Store.DeleteAsync(Key("c/3"));

        Assert.Equal(6, await Store.CountAsync(Key("c/")));
        Assert.Equal(0, await Store.CountAsync(Key("none/")));
    }
}
