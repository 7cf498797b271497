using System.Buffers;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cetus.Client.Http;

/// <summary>
/// A watch (<c>?watch=true</c>) over a client's connection and credentials, read as the API server writes it: one
/// <c>{"type","object"}</c> event per line, each decoded once, straight from its UTF-8 bytes. KubernetesClient's own
/// watcher turns every line into a string and deserializes it twice (once to find the kind, then typed): in the
/// scheduler benchmark the informers of the in-process controller manager and scheduler spent 15 % of the server's
/// CPU there.
/// </summary>
public static class WatchStream
{
    private const int InitialBuffer = 16 * 1024;

    // KubernetesClient's own serializer options (its converters and type resolver), to decode from UTF-8 bytes as
    // KubernetesJson decodes strings, except that metadata.managedFields is skipped (see WatchAsync).
    private static readonly JsonSerializerOptions Options = ClientOptions();

    /// <summary>
    /// Watches <paramref name="path"/> (a collection, e.g. <c>/api/v1/pods</c>) from <paramref name="resourceVersion"/>
    /// with bookmarks, for at most <paramref name="timeoutSeconds"/>. An ERROR event (a Status, such as 410 Gone) goes
    /// to <paramref name="onError"/> and ends the stream; a refused request or a broken connection throws. The objects
    /// come without metadata.managedFields, which are skipped rather than decoded: kube-scheduler's and
    /// kube-controller-manager's informers strip them too (TransformStripManagedFields), and an update sent without
    /// them keeps the stored ones.
    /// </summary>
    /// <typeparam name="T">The type of the objects.</typeparam>
    /// <param name="client">The client; it must be a <see cref="Kubernetes"/> (its HttpClient and credentials are used).</param>
    /// <param name="path">The collection's path.</param>
    /// <param name="fieldSelector">A field selector, or null.</param>
    /// <param name="resourceVersion">Where the watch starts.</param>
    /// <param name="timeoutSeconds">How long the server keeps the watch open.</param>
    /// <param name="onError">Told of an ERROR event.</param>
    /// <param name="cancellationToken">Stops the watch.</param>
    /// <returns>The events, in order.</returns>
    public static IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync<T>(
        IKubernetes client, string path, string? fieldSelector, string resourceVersion, int timeoutSeconds, Action<Exception> onError, CancellationToken cancellationToken)
        where T : class =>
        WatchAsync<T>(client, path, fieldSelector, resourceVersion, timeoutSeconds, "application/json", onError, cancellationToken);

    /// <summary>
    /// The same, asking for the events' objects in the representation <paramref name="accept"/> names (for example
    /// <c>application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1</c>: metadata only).
    /// </summary>
    public static async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync<T>(
        IKubernetes client, string path, string? fieldSelector, string resourceVersion, int timeoutSeconds, string accept, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(onError);
        var kubernetes = client as Kubernetes ?? throw new ArgumentException("a watch needs a k8s.Kubernetes client", nameof(client));
        using var response = await SendAsync(kubernetes, path, fieldSelector, resourceVersion, timeoutSeconds, accept, cancellationToken).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        try
        {
            int start = 0, end = 0;
            while (true)
            {
                var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
                if (newline < 0)
                {
                    if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                    }

                    if (end == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        Buffer.BlockCopy(buffer, 0, larger, 0, end);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
                    if (read > 0)
                    {
                        end += read;
                        continue;
                    }

                    // The server ended the watch; a last line without its newline still counts.
                    newline = end - start;
                    if (newline == 0)
                    {
                        yield break;
                    }
                }

                var (type, item, status) = Parse<T>(buffer, start, newline);
                start += Math.Min(newline + 1, end - start);
                if (type is null)
                {
                    continue;
                }

                if (type == WatchEventType.Error || item is null)
                {
                    onError(status is null ? new JsonException("a watch event without an object") : new KubernetesException(status));
                    yield break;
                }

                yield return (type.Value, item);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// One line of a watch: its type (null for a blank line), the object, and the Status of an ERROR event. The
    /// type is read first (the API server writes it first), so the object is decoded once, as T or as a Status.
    /// </summary>
    internal static (WatchEventType? Type, T? Object, V1Status? Status) Parse<T>(byte[] buffer, int start, int length)
        where T : class
    {
        var line = buffer.AsSpan(start, length);
        if (line.Trim(" \t\r"u8).IsEmpty)
        {
            return (null, null, null);
        }

        var type = TypeOf(PeekType(line));
        if (type is null)
        {
            // "type" is not the first field: read the event whole, then its object.
            var generic = JsonSerializer.Deserialize<Event<JsonElement>>(line, Options)!;
            type = TypeOf(generic.Type) ?? WatchEventType.Error;
            return type == WatchEventType.Error
                ? (type, null, KubernetesJson.Deserialize<V1Status>(generic.Object.GetRawText()))
                : (type, KubernetesJson.Deserialize<T>(generic.Object.GetRawText()), null);
        }

        if (type == WatchEventType.Error)
        {
            return (type, null, JsonSerializer.Deserialize<Event<V1Status>>(line, Options)?.Object);
        }

        return (type, JsonSerializer.Deserialize<Event<T>>(line, Options)?.Object, null);
    }

    private static JsonSerializerOptions ClientOptions()
    {
        JsonSerializerOptions? client = null;
        KubernetesJson.AddJsonOptions(o => client = o);
        var options = new JsonSerializerOptions(client!);
        options.TypeInfoResolver = (client!.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(info =>
        {
            if (info.Type == typeof(V1ObjectMeta))
            {
                for (var i = info.Properties.Count - 1; i >= 0; i--)
                {
                    if (info.Properties[i].Name == "managedFields")
                    {
                        info.Properties.RemoveAt(i);
                    }
                }
            }
        });
        options.MakeReadOnly();
        return options;
    }

    // The value of "type" when it is the event's first field.
    private static string? PeekType(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        try
        {
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject
                && reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("type"u8)
                && reader.Read() && reader.TokenType == JsonTokenType.String
                ? reader.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static WatchEventType? TypeOf(string? type) => type switch
    {
        "ADDED" => WatchEventType.Added,
        "MODIFIED" => WatchEventType.Modified,
        "DELETED" => WatchEventType.Deleted,
        "BOOKMARK" => WatchEventType.Bookmark,
        "ERROR" => WatchEventType.Error,
        _ => null,
    };

    private static async Task<HttpResponseMessage> SendAsync(Kubernetes client, string path, string? fieldSelector, string resourceVersion, int timeoutSeconds, string accept, CancellationToken cancellationToken)
    {
        if (client.HttpClient.Timeout != Timeout.InfiniteTimeSpan)
        {
            // The server must end the watch before the HttpClient gives up on it.
            timeoutSeconds = Math.Max(1, Math.Min(timeoutSeconds, (int)client.HttpClient.Timeout.TotalSeconds - 5));
        }

        var query = $"?watch=true&allowWatchBookmarks=true&timeoutSeconds={timeoutSeconds}&resourceVersion={Uri.EscapeDataString(resourceVersion)}"
            + (string.IsNullOrEmpty(fieldSelector) ? string.Empty : "&fieldSelector=" + Uri.EscapeDataString(fieldSelector));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, path.TrimStart('/') + query));
        request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(accept));
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var response = await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var content = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                throw new HttpOperationException($"watch {path}: {(int)response.StatusCode} {response.ReasonPhrase}")
                {
                    Request = new HttpRequestMessageWrapper(request, null),
                    Response = new HttpResponseMessageWrapper(response, content),
                };
            }
        }

        return response;
    }

    private sealed class Event<TObject>
    {
        [JsonPropertyName("type")]
        public string? Type { get; set; }

        [JsonPropertyName("object")]
        public TObject? Object { get; set; }
    }
}
