using System.Text;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace Cetus.Storage.Etcd;

/// <summary>
/// The datastore on a real etcd v3 cluster. The etcd revision is the store revision and watches are etcd watches;
/// compare-and-swap writes are etcd transactions on the key's create or mod revision, as kube-apiserver does them.
/// </summary>
public sealed partial class EtcdStore : IStore
{
    /// <summary>The key, outside every key prefix, that records the last compaction (kube-apiserver uses the same name).</summary>
    internal const string CompactRevisionKey = "compact_rev_key";

    private static readonly ByteString CompactKeyBytes = ByteString.CopyFromUtf8(CompactRevisionKey);

    private readonly StoreOptions _options;
    private readonly EtcdClient _client;
    private readonly ByteString _prefixKey;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _compaction;
    private int _disposed;

    private EtcdStore(string endpoints, StoreOptions options)
    {
        _options = options;
        Endpoints = endpoints;
        _prefixKey = ByteString.CopyFromUtf8(options.KeyPrefix);
        _client = new EtcdClient(endpoints, configureChannelOptions: channel =>
        {
            channel.Credentials = ChannelCredentials.Insecure;
            channel.ThrowOperationCanceledOnCancellation = true;
            // The default 4 MB fails lists of many objects; the send side must carry a 1.5 MiB value.
            channel.MaxReceiveMessageSize = 512 * 1024 * 1024;
            channel.MaxSendMessageSize = 64 * 1024 * 1024;
        });
        _compaction = options.Compaction is { } compaction
            ? Task.Run(() => AutoCompactor.RunAsync(this, compaction, options.TimeProvider, _stopping.Token))
            : Task.CompletedTask;
    }

    /// <summary>The endpoints, as given to the client.</summary>
    public string Endpoints { get; }

    /// <inheritdoc />
    public string KeyPrefix => _options.KeyPrefix;

    /// <summary>Connects to the etcd members at <paramref name="endpoints"/> (<c>host:port</c> each).</summary>
    public static EtcdStore Connect(IEnumerable<string> endpoints, StoreOptions? options = null)
    {
        var urls = endpoints.Select(e => e.Contains("://", StringComparison.Ordinal) ? e : "http://" + e).ToList();
        if (urls.Count == 0)
        {
            throw new StoreException(StoreError.InvalidArgument, "at least one etcd endpoint is needed, e.g. etcd://127.0.0.1:2379");
        }

        return new EtcdStore(string.Join(',', urls), options ?? new StoreOptions());
    }

    /// <inheritdoc />
    public async Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken = default)
    {
        var response = await CallAsync(() => _client.GetAsync(new RangeRequest { Key = _prefixKey, CountOnly = true }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return response.Header.Revision;
    }

    /// <inheritdoc />
    public async Task<long> GetCompactRevisionAsync(CancellationToken cancellationToken = default)
    {
        var response = await CallAsync(() => _client.GetAsync(new RangeRequest { Key = CompactKeyBytes }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return response.Kvs.Count == 1 && long.TryParse(response.Kvs[0].Value.Span, out var revision) ? revision : 0;
    }

    /// <inheritdoc />
    public async Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var keyBytes = ByteString.CopyFrom(KeyRules.Key(_options, key));
        var response = await CallAsync(() => _client.GetAsync(new RangeRequest { Key = keyBytes }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : Convert(response.Kvs[0], key);
    }

    /// <inheritdoc />
    public async Task<ListResult> ListAsync(string prefix, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        var (from, end) = KeyRules.ListRange(_options, prefix, options);
        var request = new RangeRequest
        {
            Key = ByteString.CopyFrom(from),
            RangeEnd = ByteString.CopyFrom(end),
            Limit = options.Limit,
            Revision = options.Revision,
        };
        var response = await CallAsync(() => _client.GetAsync(request, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var items = new List<KeyValue>(response.Kvs.Count);
        foreach (var kv in response.Kvs)
        {
            items.Add(Convert(kv));
        }

        return new ListResult(items, options.Revision == 0 ? response.Header.Revision : options.Revision, response.More);
    }

    /// <inheritdoc />
    public async Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var prefixBytes = KeyRules.Key(_options, prefix, "prefix");
        var request = new RangeRequest
        {
            Key = ByteString.CopyFrom(prefixBytes),
            RangeEnd = ByteString.CopyFrom(KeyRules.PrefixEnd(prefixBytes)),
            CountOnly = true,
        };
        var response = await CallAsync(() => _client.GetAsync(request, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return response.Count;
    }

    /// <inheritdoc />
    public async Task CompactAsync(long revision, CancellationToken cancellationToken = default)
    {
        if (revision <= 0)
        {
            throw new StoreException(StoreError.InvalidArgument, $"compaction revision must be positive (got {revision})");
        }

        try
        {
            await CallAsync(() => _client.CompactAsync(new CompactionRequest { Revision = revision }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (StoreException e) when (e.Error == StoreError.Compacted)
        {
            // Already compacted at or past this revision (by us or another server): nothing to do.
            return;
        }

        // Record the point, never moving it back, so GetCompactRevisionAsync can answer without a failed read.
        var recorded = await GetCompactRevisionAsync(cancellationToken).ConfigureAwait(false);
        if (recorded < revision)
        {
            await CallAsync(() => _client.PutAsync(new PutRequest { Key = CompactKeyBytes, Value = ByteString.CopyFromUtf8(revision.ToString(System.Globalization.CultureInfo.InvariantCulture)) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        try
        {
            await _compaction.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // The compaction loop ends with the store.
        }

        _stopping.Dispose();
        _client.Dispose();
    }

    private static KeyValue Convert(Mvccpb.KeyValue kv, string? key = null) =>
        new(key ?? Encoding.UTF8.GetString(kv.Key.Span), kv.Value.ToByteArray(), kv.CreateRevision, kv.ModRevision);

    /// <summary>Runs one etcd call and turns its failures into <see cref="StoreException"/>s.</summary>
    private async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled)
        {
            throw new OperationCanceledException("the etcd call was cancelled", e);
        }
        catch (RpcException e)
        {
            throw Translate(e);
        }
    }

    private StoreException Translate(RpcException e)
    {
        var detail = e.Status.Detail;
        if (detail.Contains("compacted", StringComparison.Ordinal))
        {
            return new StoreException(StoreError.Compacted, $"the requested revision has been compacted ({detail}); list again to get a newer revision", e);
        }

        if (detail.Contains("future revision", StringComparison.Ordinal))
        {
            return new StoreException(StoreError.FutureRevision, $"the requested revision has not been written yet ({detail})", e);
        }

        if (detail.Contains("too large", StringComparison.Ordinal))
        {
            return new StoreException(StoreError.ValueTooLarge, $"etcd refused the request as too large ({detail}); raise etcd's --max-request-bytes", e);
        }

        return new StoreException(StoreError.Unavailable, $"etcd at {Endpoints} failed: {e.StatusCode} {detail}", e);
    }
}
