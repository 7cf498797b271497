using Cetus.Storage;
using Cetus.Storage.Etcd;
using Cetus.Storage.Sqlite;
using Cetus.Testing;

namespace Cetus.Bench.Api;

/// <summary>A datastore and an API server in this process over it.</summary>
internal sealed class Target : IAsyncDisposable
{
    private readonly TempDirectory _directory;
    private readonly EtcdServer? _etcd;

    private Target(string name, IStore store, InProcessApiServer server, TempDirectory directory, EtcdServer? etcd)
    {
        Name = name;
        Store = store;
        Server = server;
        _directory = directory;
        _etcd = etcd;
    }

    public string Name { get; }

    public IStore Store { get; }

    public InProcessApiServer Server { get; }

    public static async Task<Target> StartAsync(string backend)
    {
        var directory = new TempDirectory("bench-api");
        EtcdServer? etcd = null;
        IStore store;
        switch (backend)
        {
            case "sqlite":
                store = SqliteStore.Open(directory.File("state.db"), new StoreOptions { Compaction = null });
                break;
            case "etcd":
                Console.WriteLine("starting etcd on 127.0.0.1 …");
                etcd = await EtcdServer.StartAsync();
                store = EtcdStore.Connect(etcd.ClientEndpoints, new StoreOptions { Compaction = null });
                break;
            default:
                throw new ArgumentException($"unknown backend '{backend}': use sqlite or etcd");
        }

        return new Target(backend, store, await InProcessApiServer.StartAsync(store), directory, etcd);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Store.DisposeAsync();
        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }

        _directory.Dispose();
    }
}
