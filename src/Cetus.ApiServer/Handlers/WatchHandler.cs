using System.Text.Json;
using Cetus.Api.Json;
using Cetus.ApiServer.Errors;
using Cetus.ApiServer.Http;
using Cetus.ApiServer.Registry;
using Cetus.ApiServer.Tables;
using Cetus.ApiServer.Watch;
using Microsoft.AspNetCore.Http;

namespace Cetus.ApiServer.Handlers;

/// <summary>
/// WATCH: a chunked stream of newline-delimited <c>{"type","object"}</c> events from the watch cache. Without a
/// resourceVersion (or "0") it starts with ADDED events for what exists; selectors turn objects that enter or leave
/// the selection into ADDED and DELETED, as kube-apiserver does.
/// </summary>
internal sealed class WatchHandler(WatchCache cache, TimeProvider time)
{
    private static readonly TimeSpan BookmarkInterval = TimeSpan.FromMinutes(1);
    private const int FlushThreshold = 64 * 1024;
    private const long DefaultTimeoutSeconds = 1800;

    public async Task HandleAsync(ResourceRequest request)
    {
        var definition = request.Definition;
        var selection = Selection.From(request, ListHandler.SupportedFields(definition));
        var resourceVersion = request.ResourceVersion() ?? 0;
        // Any number of seconds is accepted; a timer cannot run past ~24 days, and no watch needs to. As in
        // kube-apiserver, 0 (like no value) means the server's own limit.
        var asked = request.QueryInt64("timeoutSeconds") ?? 0;
        var timeout = TimeSpan.FromSeconds(Math.Min(asked == 0 ? DefaultTimeoutSeconds : asked, 20L * 24 * 3600));
        var bookmarks = request.QueryFlag("allowWatchBookmarks") && !request.WantsTable;
        var table = request.WantsTable;
        // Metadata only (client-go's metadata informers): each event's object, bookmarks too, as PartialObjectMetadata.
        var partial = table ? null : PartialMetadata.Requested(request.Http.Request);
        if (partial is { } requested)
        {
            PartialMetadata.RequireKind(request, requested, list: false);
        }

        var response = request.Http.Response;
        response.StatusCode = 200;
        response.ContentType = MediaTypes.Json;
        response.Headers.CacheControl = "no-cache, private";

        CacheWatcher watcher;
        List<StoredObject> initial = [];
        try
        {
            if (resourceVersion == 0)
            {
                (initial, var at) = cache.List(definition, request.Namespace);
                watcher = cache.Watch(definition, request.Namespace, at);
            }
            else
            {
                await cache.WaitUntilFreshAsync(resourceVersion, request.Aborted).ConfigureAwait(false);
                watcher = cache.Watch(definition, request.Namespace, resourceVersion);
            }
        }
        catch (ApiException e) when (e.Code == 410)
        {
            await WriteAsync(response, "ERROR", KubeJson.Serialize(e.Status), request.Aborted).ConfigureAwait(false);
            return;
        }

        using (watcher)
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(request.Aborted))
        {
            deadline.CancelAfter(timeout);
            // The deadline only stops the waiting: a write cancelled half-way makes Kestrel abort the connection,
            // so writes stop only when the client has gone, and a timed-out watch ends with a clean last chunk.
            var token = deadline.Token;
            var aborted = request.Aborted;
            var headers = true;
            var unflushed = 0;
            try
            {
                await response.StartAsync(aborted).ConfigureAwait(false);
                foreach (var item in initial.Where(selection.Matches))
                {
                    await WriteObjectAsync("ADDED", item).ConfigureAwait(false);
                }

                await FlushAsync().ConfigureAwait(false);
                var lastRevision = watcher.StartRevision;
                var nextBookmark = time.GetUtcNow() + BookmarkInterval;
                CancellationTokenSource? slice = null;
                try
                {
                    while (!token.IsCancellationRequested)
                    {
                        var waitToken = token;
                        if (bookmarks)
                        {
                            // Until the next bookmark is due; one source for as long as it has not fired.
                            if (slice is null || !slice.TryReset())
                            {
                                slice?.Dispose();
                                slice = CancellationTokenSource.CreateLinkedTokenSource(token);
                            }

                            var wait = nextBookmark - time.GetUtcNow();
                            slice.CancelAfter(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
                            waitToken = slice.Token;
                        }

                        bool more;
                        try
                        {
                            more = await watcher.Events.WaitToReadAsync(waitToken).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException) when (!token.IsCancellationRequested)
                        {
                            await WriteBookmarkAsync(lastRevision).ConfigureAwait(false);
                            nextBookmark = time.GetUtcNow() + BookmarkInterval;
                            continue;
                        }

                        if (!more)
                        {
                            if (watcher.Expired)
                            {
                                var gone = Problems.Gone($"too old resource version: {lastRevision}");
                                await WriteAsync(response, "ERROR", KubeJson.Serialize(gone.Status), aborted).ConfigureAwait(false);
                            }

                            return;
                        }

                        while (watcher.Events.TryRead(out var change))
                        {
                            lastRevision = change.Revision;
                            if (Translate(change, selection) is { } type)
                            {
                                await WriteObjectAsync(type, change.Object).ConfigureAwait(false);
                            }
                        }

                        await FlushAsync().ConfigureAwait(false);
                    }
                }
                finally
                {
                    slice?.Dispose();
                }
            }
            catch (OperationCanceledException)
            {
                // The client went away or the timeout passed: the stream simply ends.
            }

            // The events of a batch are written into the response's buffer and sent with one flush (one TLS record
            // and write for what arrived together), or sooner once FlushThreshold bytes wait.
            async ValueTask WriteObjectAsync(string type, StoredObject item)
            {
                var body = table ? TableWriter.Write(definition, [item], null, null, time.GetUtcNow(), headers)
                    : partial is { } metadataOnly ? PartialMetadata.Write(item, metadataOnly.Version) : item.Json;
                headers = false;
                Write(response, type, body);
                unflushed += body.Length;
                if (unflushed >= FlushThreshold)
                {
                    await FlushAsync().ConfigureAwait(false);
                }
            }

            async ValueTask FlushAsync()
            {
                unflushed = 0;
                await response.BodyWriter.FlushAsync(aborted).ConfigureAwait(false);
            }

            Task WriteBookmarkAsync(long revision)
            {
                var bookmark = partial is { } metadataOnly ? PartialMetadata.Bookmark(metadataOnly.Version, revision) : JsonSerializer.SerializeToUtf8Bytes(new
                {
                    kind = definition.Kind,
                    apiVersion = definition.ApiVersion,
                    metadata = new { resourceVersion = revision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                });
                return WriteAsync(response, "BOOKMARK", bookmark, aborted);
            }
        }
    }

    /// <summary>What a change looks like through a selector: null when the watcher does not see it.</summary>
    private static string? Translate(CacheEvent change, Selection selection)
    {
        var now = change.Type != CacheEventType.Deleted && selection.Matches(change.Object);
        var before = change.Previous is not null && selection.Matches(change.Previous);
        return change.Type switch
        {
            CacheEventType.Added => now ? "ADDED" : null,
            CacheEventType.Deleted => selection.Matches(change.Object) || before ? "DELETED" : null,
            _ when now && before => "MODIFIED",
            _ when now => "ADDED",
            _ when before => "DELETED",
            _ => null,
        };
    }

    private static async Task WriteAsync(HttpResponse response, string type, byte[] body, CancellationToken cancellationToken)
    {
        Write(response, type, body);
        await response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    // One event line, {"type":"TYPE","object":BODY}\n, into the response's buffer in one piece (a piece per part
    // would cost a chunk header each); sent by the next flush.
    private static void Write(HttpResponse response, string type, ReadOnlySpan<byte> body)
    {
        ReadOnlySpan<byte> head = "{\"type\":\""u8;
        ReadOnlySpan<byte> middle = "\",\"object\":"u8;
        var size = head.Length + type.Length + middle.Length + body.Length + 2;
        var line = response.BodyWriter.GetSpan(size);
        head.CopyTo(line);
        var at = head.Length + System.Text.Encoding.ASCII.GetBytes(type, line[head.Length..]);
        middle.CopyTo(line[at..]);
        at += middle.Length;
        body.CopyTo(line[at..]);
        at += body.Length;
        line[at] = (byte)'}';
        line[at + 1] = (byte)'\n';
        response.BodyWriter.Advance(size);
    }
}
