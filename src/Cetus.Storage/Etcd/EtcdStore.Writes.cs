using Etcdserverpb;
using Google.Protobuf;

namespace Cetus.Storage.Etcd;

public sealed partial class EtcdStore
{
    /// <summary>The longest a lease outlives the time-to-live it was granted for.</summary>
    private static readonly TimeSpan LeaseReuse = TimeSpan.FromMinutes(1);

    private readonly Dictionary<long, (long Id, DateTimeOffset Expires)> _leases = [];
    private readonly SemaphoreSlim _leaseGate = new(1, 1);

    /// <inheritdoc />
    public async Task<WriteResult> CreateAsync(string key, byte[] value, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var keyBytes = ByteString.CopyFrom(KeyRules.Key(_options, key));
        KeyRules.Value(_options, value);
        KeyRules.Write(options);
        var lease = await LeaseAsync(options, cancellationToken).ConfigureAwait(false);
        var txn = new TxnRequest();
        txn.Compare.Add(new Compare { Key = keyBytes, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 });
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = keyBytes, Value = ByteString.CopyFrom(value), Lease = lease } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = keyBytes } });
        var response = await CallAsync(() => _client.TransactionAsync(txn, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var revision = response.Header.Revision;
        if (response.Succeeded)
        {
            return new WriteResult(WriteStatus.Succeeded, new KeyValue(key, value, revision, revision), revision);
        }

        var existing = FirstKv(response, key);
        return existing is null
            ? new WriteResult(WriteStatus.Conflict, null, revision)
            : new WriteResult(WriteStatus.AlreadyExists, existing, revision);
    }

    /// <inheritdoc />
    public async Task<WriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, WriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var keyBytes = ByteString.CopyFrom(KeyRules.Key(_options, key));
        KeyRules.Value(_options, value);
        KeyRules.ExpectedRevision(expectedModRevision);
        KeyRules.Write(options);
        var lease = await LeaseAsync(options, cancellationToken).ConfigureAwait(false);
        var txn = new TxnRequest();
        txn.Compare.Add(ModRevisionIs(keyBytes, expectedModRevision));
        txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = keyBytes, Value = ByteString.CopyFrom(value), Lease = lease, PrevKv = true } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = keyBytes } });
        var response = await CallAsync(() => _client.TransactionAsync(txn, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var revision = response.Header.Revision;
        if (response.Succeeded)
        {
            var previous = response.Responses[0].ResponsePut.PrevKv;
            return new WriteResult(WriteStatus.Succeeded, new KeyValue(key, value, previous?.CreateRevision ?? revision, revision), revision);
        }

        var current = FirstKv(response, key);
        return new WriteResult(current is null ? WriteStatus.NotFound : WriteStatus.Conflict, current, revision);
    }

    /// <inheritdoc />
    public async Task<WriteResult> DeleteAsync(string key, long? expectedModRevision = null, CancellationToken cancellationToken = default)
    {
        var keyBytes = ByteString.CopyFrom(KeyRules.Key(_options, key));
        var txn = new TxnRequest();
        if (expectedModRevision is { } expected)
        {
            KeyRules.ExpectedRevision(expected);
            txn.Compare.Add(ModRevisionIs(keyBytes, expected));
        }

        txn.Success.Add(new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = keyBytes, PrevKv = true } });
        txn.Failure.Add(new RequestOp { RequestRange = new RangeRequest { Key = keyBytes } });
        var response = await CallAsync(() => _client.TransactionAsync(txn, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var revision = response.Header.Revision;
        if (response.Succeeded)
        {
            var deleted = response.Responses[0].ResponseDeleteRange;
            return deleted.Deleted == 0
                ? new WriteResult(WriteStatus.NotFound, null, revision)
                : new WriteResult(WriteStatus.Succeeded, Convert(deleted.PrevKvs[0], key), revision);
        }

        var current = FirstKv(response, key);
        return new WriteResult(current is null ? WriteStatus.NotFound : WriteStatus.Conflict, current, revision);
    }

    private static Compare ModRevisionIs(ByteString key, long revision) =>
        new() { Key = key, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = revision };

    private static KeyValue? FirstKv(TxnResponse response, string key)
    {
        var range = response.Responses.Count > 0 ? response.Responses[0].ResponseRange : null;
        return range is { Kvs.Count: > 0 } ? Convert(range.Kvs[0], key) : null;
    }

    /// <summary>
    /// A lease for the time-to-live. Like kube-apiserver, a lease is granted a little longer than asked (5% of the
    /// time-to-live, at most a minute) and reused for later writes that ask for the same time-to-live while it still
    /// covers them, so that a stream of Events does not make one lease each.
    /// </summary>
    private async Task<long> LeaseAsync(WriteOptions? options, CancellationToken cancellationToken)
    {
        if (options?.TimeToLive is not { } ttl)
        {
            return 0;
        }

        var seconds = Math.Max(1, (long)Math.Ceiling(ttl.TotalSeconds));
        var reuse = Math.Min((long)(seconds * 0.05), (long)LeaseReuse.TotalSeconds);
        await _leaseGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _options.TimeProvider.GetUtcNow();
            if (_leases.TryGetValue(seconds, out var cached) && now.AddSeconds(seconds) < cached.Expires)
            {
                return cached.Id;
            }

            var grant = await CallAsync(() => _client.LeaseGrantAsync(new LeaseGrantRequest { TTL = seconds + reuse }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            _leases[seconds] = (grant.ID, now.AddSeconds(grant.TTL));
            return grant.ID;
        }
        finally
        {
            _leaseGate.Release();
        }
    }
}
