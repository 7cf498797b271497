using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Cetus.Storage;
using Cetus.Testing;
using Xunit;

namespace Cetus.ApiServer.Tests.Integration;

/// <summary>
/// Updates, patches and bindings start from the watch cache's copy of the object (as kube-apiserver's cacher), and a
/// copy that is behind the datastore never decides an outcome: the datastore is wrapped so that its changes reach the
/// watch cache only when the test lets them, and counts the reads of each key.
/// </summary>
public sealed class CachedUpdateTests : IAsyncLifetime
{
    private SqliteApiServer<LaggingStore> _api = null!;

    public async Task InitializeAsync() => _api = await SqliteApiServer<LaggingStore>.StartAsync("cached-update", store => new LaggingStore(store));

    public async Task DisposeAsync()
    {
        _api.Store.Release();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task UpdateWithACurrentCache_ReadsNothingFromTheDatastore()
    {
        var created = await CreateConfigMapAsync("read-free", "1");
        await WaitForCacheAsync(created);
        var reads = _api.Store.Reads("/configmaps/default/read-free");

        var updated = await _api.Client.PutAsync("/api/v1/namespaces/default/configmaps/read-free", Json(ConfigMap("read-free", "2", created)));
        await WaitForCacheAsync((string)(await updated.Content.ReadFromJsonAsync<JsonObject>())!["metadata"]!["resourceVersion"]!);
        var patched = await _api.Client.PatchAsync("/api/v1/namespaces/default/configmaps/read-free", MergePatch("""{"data":{"a":"3"}}"""));

        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal("3", (string?)(await patched.Content.ReadFromJsonAsync<JsonObject>())!["data"]!["a"]);
        Assert.Equal(reads, _api.Store.Reads("/configmaps/default/read-free"));
    }

    [Fact]
    public async Task UpdateWithTheCurrentResourceVersion_Succeeds_WhileTheCacheStillHasTheOldOne()
    {
        var created = await CreateConfigMapAsync("behind", "1");
        await WaitForCacheAsync(created);
        _api.Store.Hold();
        var first = await _api.Client.PutAsync("/api/v1/namespaces/default/configmaps/behind", Json(ConfigMap("behind", "2", created)));
        var afterFirst = (string)(await first.Content.ReadFromJsonAsync<JsonObject>())!["metadata"]!["resourceVersion"]!;

        // The cache still holds the created version; the client sends the version it was just given.
        var second = await _api.Client.PutAsync("/api/v1/namespaces/default/configmaps/behind", Json(ConfigMap("behind", "3", afterFirst)));
        var stale = await _api.Client.PutAsync("/api/v1/namespaces/default/configmaps/behind", Json(ConfigMap("behind", "4", created)));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        _api.Store.Release();
        Assert.Equal("3", await DataAsync("behind"));
    }

    [Fact]
    public async Task PatchBackToWhatTheCacheHolds_IsWritten_NotTakenForNoChange()
    {
        var created = await CreateConfigMapAsync("back", "1");
        await WaitForCacheAsync(created);
        _api.Store.Hold();
        var changed = await _api.Client.PatchAsync("/api/v1/namespaces/default/configmaps/back", MergePatch("""{"data":{"a":"2"}}"""));
        var changedVersion = (string)(await changed.Content.ReadFromJsonAsync<JsonObject>())!["metadata"]!["resourceVersion"]!;

        // Against the cache's copy (a = 1) this patch changes nothing; against the datastore (a = 2) it does.
        var back = await _api.Client.PatchAsync("/api/v1/namespaces/default/configmaps/back", MergePatch("""{"data":{"a":"1"}}"""));
        var backVersion = (string)(await back.Content.ReadFromJsonAsync<JsonObject>())!["metadata"]!["resourceVersion"]!;

        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.True(long.Parse(backVersion, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(changedVersion, System.Globalization.CultureInfo.InvariantCulture), $"{backVersion} after {changedVersion}");
        _api.Store.Release();
        Assert.Equal("1", await DataAsync("back"));
    }

    [Fact]
    public async Task SecondBinding_WhileTheCacheStillShowsThePodUnbound_Is409()
    {
        var created = await _api.Client.PostAsync("/api/v1/namespaces/default/pods", Json("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"bind-once"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await WaitForCacheAsync((string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["metadata"]!["resourceVersion"]!, "pods/bind-once");
        var reads = _api.Store.Reads("/pods/default/bind-once");
        _api.Store.Hold();

        var first = await _api.Client.PostAsync("/api/v1/namespaces/default/pods/bind-once/binding", Json(Binding("bind-once", "node-a")));
        var readsAfterFirst = _api.Store.Reads("/pods/default/bind-once");
        var second = await _api.Client.PostAsync("/api/v1/namespaces/default/pods/bind-once/binding", Json(Binding("bind-once", "node-b")));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(reads, readsAfterFirst);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var message = (string?)(await second.Content.ReadFromJsonAsync<JsonObject>())!["message"];
        Assert.True(message?.Contains("already assigned to node \"node-a\"", StringComparison.Ordinal), message);
        _api.Store.Release();
        var pod = await _api.Client.GetFromJsonAsync<JsonObject>("/api/v1/namespaces/default/pods/bind-once");
        Assert.Equal("node-a", (string?)pod!["spec"]!["nodeName"]);
    }

    [Fact]
    public async Task Binding_KeepsEverythingElseOfThePod_AndLaterWritesStartFromTheBoundPod()
    {
        var created = await _api.Client.PostAsync("/api/v1/namespaces/default/pods", Json("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"bind-keeps","labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}"""));
        var before = (await created.Content.ReadFromJsonAsync<JsonObject>())!;
        await WaitForCacheAsync((string)before["metadata"]!["resourceVersion"]!, "pods/bind-keeps");

        var bound = await _api.Client.PostAsync("/api/v1/namespaces/default/pods/bind-keeps/binding", Json(Binding("bind-keeps", "node-a")));
        Assert.Equal(HttpStatusCode.Created, bound.StatusCode);
        var patched = await _api.Client.PatchAsync("/api/v1/namespaces/default/pods/bind-keeps", MergePatch("""{"metadata":{"labels":{"tier":"web"}}}"""));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var after = (await patched.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal("node-a", (string?)after["spec"]!["nodeName"]);
        var scheduled = Assert.Single(after["status"]!["conditions"]!.AsArray(), c => (string?)c!["type"] == "PodScheduled");
        Assert.Equal("True", (string?)scheduled!["status"]);
        Assert.Equal("""{"app":"a","tier":"web"}""", after["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal((string?)before["metadata"]!["uid"], (string?)after["metadata"]!["uid"]);
        Assert.Equal((string?)before["status"]!["phase"], (string?)after["status"]!["phase"]);
        // The spec but nodeName is the pod's as created (defaults included).
        var spec = before["spec"]!.DeepClone().AsObject();
        spec["nodeName"] = "node-a";
        Assert.True(JsonNode.DeepEquals(spec, after["spec"]), after["spec"]!.ToJsonString());
    }

    private async Task<string> CreateConfigMapAsync(string name, string value)
    {
        var created = await _api.Client.PostAsync("/api/v1/namespaces/default/configmaps", Json(ConfigMap(name, value, null)));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (string)(await created.Content.ReadFromJsonAsync<JsonObject>())!["metadata"]!["resourceVersion"]!;
    }

    // A GET at a resourceVersion is served once the watch cache has caught up with it.
    private async Task WaitForCacheAsync(string resourceVersion, string path = "configmaps")
    {
        var response = await _api.Client.GetAsync($"/api/v1/namespaces/default/{path}?resourceVersion={resourceVersion}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    // Read with no resourceVersion: from the datastore while the cache is behind it.
    private async Task<string?> DataAsync(string name) =>
        (string?)(await _api.Client.GetFromJsonAsync<JsonObject>($"/api/v1/namespaces/default/configmaps/{name}"))!["data"]!["a"];

    private static string ConfigMap(string name, string value, string? resourceVersion) =>
        new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = resourceVersion is null ? new JsonObject { ["name"] = name } : new JsonObject { ["name"] = name, ["resourceVersion"] = resourceVersion },
            ["data"] = new JsonObject { ["a"] = value },
        }.ToJsonString();

    private static string Binding(string pod, string node) =>
        new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Binding",
            ["metadata"] = new JsonObject { ["name"] = pod },
            ["target"] = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Node", ["name"] = node },
        }.ToJsonString();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static StringContent MergePatch(string body) => new(body, Encoding.UTF8, "application/merge-patch+json");

    /// <summary>A datastore whose changes reach watchers only while not held, and which counts the reads of each key.</summary>
    private sealed class LaggingStore(IStore inner) : DelegatingStore(inner)
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);
        private volatile TaskCompletionSource _open = Opened();

        /// <summary>Changes made from now on wait before reaching watchers.</summary>
        public void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Lets the held changes through.</summary>
        public void Release() => _open.TrySetResult();

        /// <summary>How many times keys ending in <paramref name="suffix"/> were read.</summary>
        public int Reads(string suffix) => _reads.Where(r => r.Key.EndsWith(suffix, StringComparison.Ordinal)).Sum(r => r.Value);

        public override Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default)
        {
            _reads.AddOrUpdate(key, 1, (_, n) => n + 1);
            return base.GetAsync(key, cancellationToken);
        }

        public override async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var change in base.WatchAsync(prefix, afterRevision, cancellationToken).ConfigureAwait(false))
            {
                await _open.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                yield return change;
            }
        }

        private static TaskCompletionSource Opened()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }
    }
}
