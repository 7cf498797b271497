using Cetus.Client.Informers;
using k8s.Models;
using Xunit;
using static Cetus.Controllers.Tests.Builders;

namespace Cetus.Controllers.Tests.Client;

public sealed class IndexerTests
{
    [Fact]
    public void Indexes_FollowUpdatesAndRemovals()
    {
        var store = new Indexer<V1Pod>();
        var rs = Rs("web-abc", 1);
        store.Upsert(Pod("a", owner: rs));
        store.Upsert(Pod("b"));

        Assert.Equal(2, store.ByNamespace("default").Count);
        Assert.Equal("a", Assert.Single(store.ByIndex(Indexer<V1Pod>.OwnerUidIndex, "uid-web-abc")).Metadata.Name);

        store.Upsert(Pod("a"));
        Assert.Empty(store.ByIndex(Indexer<V1Pod>.OwnerUidIndex, "uid-web-abc"));

        store.Remove("default/b");
        Assert.Equal("a", Assert.Single(store.ByNamespace("default")).Metadata.Name);
    }

    [Fact]
    public void Replace_ReportsRemovedObjectsAsTombstones()
    {
        var store = new Indexer<V1Pod>();
        store.Upsert(Pod("gone"));
        store.Upsert(Pod("kept"));

        var (removed, upserted) = store.Replace([Pod("kept"), Pod("new")]);

        Assert.Equal("gone", Assert.Single(removed).Metadata.Name);
        Assert.Equal(["kept", "new"], upserted.Select(u => u.New.Metadata.Name).Order());
        Assert.Null(upserted.Single(u => u.New.Metadata.Name == "new").Old);
    }

    [Fact]
    public void AddIndex_ByNodeName_IndexesExistingObjects_AndRefusesDuplicates()
    {
        var store = new Indexer<V1Pod>();
        store.Upsert(Pod("a", node: "n1"));

        store.AddIndex("node", p => [p.Spec?.NodeName ?? string.Empty]);

        Assert.Single(store.ByIndex("node", "n1"));
        Assert.Throws<InvalidOperationException>(() => store.AddIndex("node", _ => []));
    }
}
