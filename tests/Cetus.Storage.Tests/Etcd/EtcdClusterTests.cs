using System.Text;
using Cetus.Storage.Etcd;
using Cetus.Testing;
using Xunit;

namespace Cetus.Storage.Tests.Etcd;

/// <summary>A three-member etcd cluster: the store takes every endpoint and keeps working when a member dies.</summary>
public sealed class EtcdClusterTests
{
    [Fact]
    public async Task ThreeMembers_OneKilled_WritesReadsAndWatchesGoOn()
    {
        await using var cluster = await EtcdServer.StartAsync(members: 3);
        await using var store = EtcdStore.Connect(cluster.ClientEndpoints, new StoreOptions { Compaction = null });
        var first = await store.CreateAsync("/registry/cluster/a", Encoding.UTF8.GetBytes("1"));
        Assert.True(first.Succeeded);
        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var watch = store.WatchAsync("/registry/cluster/", first.Revision, watching.Token).GetAsyncEnumerator(watching.Token);
        var next = watch.MoveNextAsync();

        cluster.Kill(0);

        // The client moves to a live member; a call may fail while it notices, so retry for a bounded time.
        var written = await RetryAsync(() => store.CreateAsync("/registry/cluster/b", Encoding.UTF8.GetBytes("2")));
        Assert.True(written.Succeeded);
        var read = await RetryAsync(() => store.GetAsync("/registry/cluster/b"));
        Assert.Equal("2", Encoding.UTF8.GetString(read!.Value));
        Assert.True(await next);
        Assert.Equal(written.Revision, watch.Current.Revision);
        await watch.DisposeAsync();
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (StoreException e) when (e.Error == StoreError.Unavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
