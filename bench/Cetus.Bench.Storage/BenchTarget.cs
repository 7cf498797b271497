using Cetus.Storage;
using Cetus.Storage.Etcd;
using Cetus.Storage.Sqlite;
using Cetus.Testing;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;

namespace Cetus.Bench.Storage;

/// <summary>One backend under test: the store, and for etcd the server it runs on and a raw client for the baseline.</summary>
internal sealed class BenchTarget : IAsyncDisposable
{
    private readonly TempDirectory? _directory;
    private readonly EtcdServer? _etcd;

    private BenchTarget(string name, IStore store, TempDirectory? directory, EtcdServer? etcd)
    {
        Name = name;
        Store = store;
        _directory = directory;
        _etcd = etcd;
    }

    public string Name { get; }

    public IStore Store { get; }

    /// <summary>For etcd: a plain put with the official client, the baseline the store is measured against.</summary>
    public Func<string, byte[], CancellationToken, Task>? RawPut { get; private init; }

    /// <summary>For etcd: the same create-if-absent transaction the store sends, made with the official client directly.</summary>
    public Func<string, byte[], CancellationToken, Task>? RawCreateTransaction { get; private init; }

    public static async Task<BenchTarget> StartAsync(string backend)
    {
        var options = new StoreOptions { Compaction = null };
        switch (backend)
        {
            case "sqlite":
                var directory = new TempDirectory("bench");
                return new BenchTarget("sqlite", SqliteStore.Open(directory.File("state.db"), options), directory, null);
            case "etcd":
                Console.WriteLine("starting etcd on 127.0.0.1 …");
                var etcd = await EtcdServer.StartAsync();
                var raw = new EtcdClient(string.Join(',', etcd.ClientEndpoints.Select(e => "http://" + e)), configureChannelOptions: o => o.Credentials = Grpc.Core.ChannelCredentials.Insecure);
                return new BenchTarget("etcd", EtcdStore.Connect(etcd.ClientEndpoints, options), null, etcd)
                {
                    RawPut = (key, value, ct) => raw.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFrom(value) }, cancellationToken: ct),
                    RawCreateTransaction = (key, value, ct) =>
                    {
                        var keyBytes = ByteString.CopyFromUtf8(key);
                        var txn = new TxnRequest();
                        txn.Compare.Add(new Compare { Key = keyBytes, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
                        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = keyBytes, Value = ByteString.CopyFrom(value) } });
                        return raw.TransactionAsync(txn, cancellationToken: ct);
                    },
                };
            default:
                throw new ArgumentException($"unknown backend '{backend}': use sqlite or etcd");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }

        _directory?.Dispose();
    }
}
