using System.Runtime.CompilerServices;
using System.Text;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace Cetus.Storage.Etcd;

public sealed partial class EtcdStore
{
    private static readonly TimeSpan ReconnectGiveUp = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prefixBytes = KeyRules.Key(_options, prefix, "prefix");
        if (afterRevision < 0)
        {
            throw new StoreException(StoreError.InvalidArgument, $"watch revision must not be negative (got {afterRevision})");
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        var position = afterRevision;
        var failingSince = (DateTimeOffset?)null;
        while (true)
        {
            using var call = _client.GetConnection().WatchClient.Watch(cancellationToken: cancellationToken);
            var stream = call.ResponseStream;
            var failure = (Exception?)null;
            try
            {
                // Starting AT the last revision seen (not after it) makes etcd itself refuse a start older than its
                // compaction point, atomically; the event at that revision, if any, was already delivered and is skipped.
                await call.RequestStream.WriteAsync(new WatchRequest
                {
                    CreateRequest = new WatchCreateRequest
                    {
                        Key = ByteString.CopyFrom(prefixBytes),
                        RangeEnd = ByteString.CopyFrom(KeyRules.PrefixEnd(prefixBytes)),
                        StartRevision = Math.Max(position, 1),
                        PrevKv = true,
                    },
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (IsBrokenStream(e, cancellationToken))
            {
                // Besides RpcException, the client's retry layer can throw other exceptions from a write that races
                // with the connection dropping (seen: ArgumentOutOfRangeException in RetryCall.WriteNewMessage).
                failure = e;
            }
            catch (RpcException e)
            {
                throw new OperationCanceledException("the watch was cancelled", e, cancellationToken);
            }

            while (failure is null)
            {
                WatchResponse response;
                try
                {
                    if (!await stream.MoveNext(cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }

                    response = stream.Current;
                }
                catch (Exception e) when (IsBrokenStream(e, cancellationToken))
                {
                    failure = e;
                    break;
                }
                catch (RpcException e)
                {
                    throw new OperationCanceledException("the watch was cancelled", e, cancellationToken);
                }

                if (response.Canceled)
                {
                    if (response.CompactRevision > 0)
                    {
                        throw StoreException.Compacted(position, response.CompactRevision, response.Header?.Revision ?? 0);
                    }

                    throw new StoreException(StoreError.Unavailable, $"etcd cancelled the watch: {response.CancelReason}");
                }

                failingSince = null;
                foreach (var change in response.Events)
                {
                    var kv = change.Kv;
                    if (kv.ModRevision <= position)
                    {
                        continue;
                    }

                    var key = Encoding.UTF8.GetString(kv.Key.Span);
                    var previous = change.PrevKv is { } prev ? Convert(prev, key) : null;
                    yield return change.Type == Mvccpb.Event.Types.EventType.Delete
                        ? new WatchEvent(WatchEventType.Delete, new KeyValue(key, [], 0, kv.ModRevision), previous)
                        : new WatchEvent(WatchEventType.Put, Convert(kv, key), previous);
                    position = kv.ModRevision;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();

            // The stream broke (an etcd member restarted, a network blip): watch again from the last revision seen.
            var now = _options.TimeProvider.GetUtcNow();
            failingSince ??= now;
            if (now - failingSince > ReconnectGiveUp)
            {
                throw new StoreException(StoreError.Unavailable, $"etcd at {Endpoints} has been unreachable for {ReconnectGiveUp.TotalSeconds:0} s: {Describe(failure)}", failure);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsBrokenStream(Exception e, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested && e is not OperationCanceledException && e is not StoreException;

    private static string Describe(Exception? failure) => failure switch
    {
        RpcException rpc => rpc.Status.Detail,
        null => "the stream ended",
        _ => failure.Message,
    };
}
