using System.Net;
using System.Text;
using Cetus.Client.Http;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;

namespace Cetus.Controllers.Tests.Client;

/// <summary>
/// The informers' watch reader against scripted responses: each line decoded once into its type and object, the
/// request it sends, events cut anywhere by the network, ERROR events, and refused watches.
/// </summary>
public sealed class WatchStreamTests
{
    [Fact]
    public async Task Events_AreDecodedInOrder_WhateverTheOrderOfTheirFields()
    {
        var body = string.Join('\n',
            Event("ADDED", ConfigMap("a", "1", "x")),
            string.Empty,
            "{\"object\":" + ConfigMap("a", "2", "y") + ",\"type\":\"MODIFIED\"}",
            Event("BOOKMARK", "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"5\"}}"),
            Event("DELETED", ConfigMap("a", "6", "y")));
        var handler = new ScriptedHandler(HttpStatusCode.OK, body, chunk: int.MaxValue);

        var events = await CollectAsync(handler, fieldSelector: "metadata.name=a b");

        Assert.Equal(["Added a 1 x", "Modified a 2 y", "Bookmark  5 ", "Deleted a 6 y"], events.Select(e => $"{e.Type} {e.Object.Metadata.Name} {e.Object.Metadata.ResourceVersion} {e.Object.Data?["k"]}"));
        var query = handler.Requests.Single().Query;
        Assert.Equal("/api/v1/namespaces/ns/configmaps", handler.Requests.Single().AbsolutePath);
        Assert.Contains("watch=true", query, StringComparison.Ordinal);
        Assert.Contains("allowWatchBookmarks=true", query, StringComparison.Ordinal);
        Assert.Contains("resourceVersion=3", query, StringComparison.Ordinal);
        Assert.Contains("fieldSelector=metadata.name%3Da%20b", query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventsCutAnywhereByTheNetwork_AndLargerThanTheBuffer_ArriveWhole()
    {
        var large = new string('z', 100_000);
        var body = Event("ADDED", ConfigMap("small", "1", "s")) + "\r\n" + Event("ADDED", ConfigMap("large", "2", large)) + "\n" + Event("MODIFIED", ConfigMap("small", "3", "t"));

        var events = await CollectAsync(new ScriptedHandler(HttpStatusCode.OK, body, chunk: 7));

        Assert.Equal(["small s", "large " + large, "small t"], events.Select(e => $"{e.Object.Metadata.Name} {e.Object.Data["k"]}"));
    }

    [Fact]
    public async Task ErrorEvent_IsReported_AndEndsTheStream()
    {
        var body = string.Join('\n',
            Event("ADDED", ConfigMap("a", "1", "x")),
            Event("ERROR", "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"too old resource version: 1\",\"reason\":\"Expired\",\"code\":410}"),
            Event("ADDED", ConfigMap("b", "2", "x")));
        var errors = new List<Exception>();

        var events = await CollectAsync(new ScriptedHandler(HttpStatusCode.OK, body, chunk: 64), errors: errors);

        Assert.Equal(["a"], events.Select(e => e.Object.Metadata.Name));
        var error = Assert.IsType<KubernetesException>(Assert.Single(errors));
        Assert.Equal(410, error.Status.Code);
    }

    [Fact]
    public async Task ManagedFields_AreLeftOut_TheRestOfTheMetadataKept()
    {
        var item = "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"web\"},\"managedFields\":[{\"manager\":\"kubectl\",\"operation\":\"Update\",\"apiVersion\":\"v1\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:data\":{\"f:k\":{}}}}],\"resourceVersion\":\"4\"},\"data\":{\"k\":\"v\"}}";

        var events = await CollectAsync(new ScriptedHandler(HttpStatusCode.OK, Event("ADDED", item), chunk: int.MaxValue));

        var metadata = Assert.Single(events).Object.Metadata;
        Assert.Null(metadata.ManagedFields);
        Assert.Equal(("a", "web", "4"), (metadata.Name, metadata.Labels["app"], metadata.ResourceVersion));
    }

    [Fact]
    public async Task ListedObjects_LoseTheirManagedFields_AsWatchedOnes()
    {
        var listed = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a", ManagedFields = [new V1ManagedFieldsEntry { Manager = "kubectl" }] } };
        var listWatch = new Cetus.Client.Informers.ListWatch<V1ConfigMap, V1ConfigMapList>(
            (_, _) => Task.FromResult(new V1ConfigMapList { Metadata = new V1ListMeta { ResourceVersion = "7" }, Items = [listed] }),
            (_, _, _, _) => AsyncEnumerable.Empty<(WatchEventType, V1ConfigMap)>());

        var (items, version) = await listWatch.ListAsync(CancellationToken.None);

        Assert.Equal("7", version);
        Assert.Null(Assert.Single(items).Metadata.ManagedFields);
    }

    [Fact]
    public async Task RefusedWatch_Throws()
    {
        var handler = new ScriptedHandler(HttpStatusCode.Forbidden, "{\"kind\":\"Status\",\"code\":403}", chunk: int.MaxValue);

        var refused = await Assert.ThrowsAsync<HttpOperationException>(() => CollectAsync(handler));

        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
    }

    private static async Task<List<(WatchEventType Type, V1ConfigMap Object)>> CollectAsync(ScriptedHandler handler, string? fieldSelector = null, List<Exception>? errors = null)
    {
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:9" }, handler);
        var events = new List<(WatchEventType, V1ConfigMap)>();
        await foreach (var item in WatchStream.WatchAsync<V1ConfigMap>(client, "/api/v1/namespaces/ns/configmaps", fieldSelector, "3", 60, e => errors?.Add(e), CancellationToken.None))
        {
            events.Add(item);
        }

        return events;
    }

    private static string Event(string type, string item) => $"{{\"type\":\"{type}\",\"object\":{item}}}";

    private static string ConfigMap(string name, string resourceVersion, string value) =>
        $"{{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{{\"name\":\"{name}\",\"namespace\":\"ns\",\"resourceVersion\":\"{resourceVersion}\"}},\"data\":{{\"k\":\"{value}\"}}}}";

    /// <summary>Answers every request with one status and body, the body handed out <c>chunk</c> bytes per read.</summary>
    private sealed class ScriptedHandler(HttpStatusCode status, string body, int chunk) : DelegatingHandler
    {
        public List<Uri> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!);
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StreamContent(new TrickleStream(Encoding.UTF8.GetBytes(body), chunk)) });
        }
    }

    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);
    }
}
