using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Cetus.Storage;
using Cetus.Testing;
using Xunit;

namespace Cetus.ApiServer.Tests.Integration;

/// <summary>
/// generateName collisions, as kube-apiserver since RetryGenerateName: a generated name that is taken is replaced by a
/// new one (8 attempts in all) instead of failing the create; names the client chose still get 409 at once. The
/// datastore is wrapped so that chosen keys read as taken, since real collisions are one in millions.
/// </summary>
public sealed class GenerateNameTests : IAsyncLifetime
{
    private SqliteApiServer<CollidingStore> _api = null!;

    public async Task InitializeAsync() => _api = await SqliteApiServer<CollidingStore>.StartAsync("generate-name", store => new CollidingStore(store));

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task TakenGeneratedName_IsReplaced_AndTheCreateSucceeds()
    {
        _api.Store.Collisions["/configmaps/default/retry-"] = 3;

        var created = await _api.Client.PostAsync("/api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"retry-"}}"""));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var name = (string?)(await created.Content.ReadFromJsonAsync<JsonObject>())!["metadata"]!["name"];
        Assert.Equal(4, _api.Store.Attempts("/configmaps/default/retry-").Count);
        Assert.Equal("/configmaps/default/" + name, _api.Store.Attempts("/configmaps/default/retry-")[^1]);
        Assert.Equal(4, _api.Store.Attempts("/configmaps/default/retry-").Distinct().Count());
        Assert.Equal(HttpStatusCode.OK, (await _api.Client.GetAsync($"/api/v1/namespaces/default/configmaps/{name}")).StatusCode);
    }

    [Fact]
    public async Task EightTakenGeneratedNames_Give409AlreadyExists()
    {
        _api.Store.Collisions["/configmaps/default/full-"] = int.MaxValue;

        var created = await _api.Client.PostAsync("/api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"full-"}}"""));

        Assert.Equal(HttpStatusCode.Conflict, created.StatusCode);
        Assert.Equal("AlreadyExists", (string?)(await created.Content.ReadFromJsonAsync<JsonObject>())!["reason"]);
        Assert.Equal(8, _api.Store.Attempts("/configmaps/default/full-").Count);
    }

    [Fact]
    public async Task TakenChosenName_Is409AtOnce()
    {
        _api.Store.Collisions["/configmaps/default/chosen"] = int.MaxValue;

        var created = await _api.Client.PostAsync("/api/v1/namespaces/default/configmaps", Json("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"chosen","generateName":"chosen-"}}"""));

        Assert.Equal(HttpStatusCode.Conflict, created.StatusCode);
        Assert.Single(_api.Store.Attempts("/configmaps/default/chosen"));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>A datastore whose creates of keys containing chosen paths find them taken, a given number of times.</summary>
    private sealed class CollidingStore(IStore inner) : DelegatingStore(inner)
    {
        private readonly List<string> _attempts = [];

        public System.Collections.Concurrent.ConcurrentDictionary<string, int> Collisions { get; } = new();

        public List<string> Attempts(string prefix)
        {
            lock (_attempts)
            {
                return _attempts.Where(a => a.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            }
        }

        public override Task<WriteResult> CreateAsync(string key, byte[] value, WriteOptions? options = null, CancellationToken cancellationToken = default)
        {
            foreach (var (prefix, left) in Collisions)
            {
                var at = key.IndexOf(prefix, StringComparison.Ordinal);
                if (at >= 0)
                {
                    lock (_attempts)
                    {
                        _attempts.Add(key[at..]);
                    }

                    if (left > 0)
                    {
                        Collisions[prefix] = left - 1;
                        return Task.FromResult(new WriteResult(WriteStatus.AlreadyExists, null, 0));
                    }
                }
            }

            return base.CreateAsync(key, value, options, cancellationToken);
        }
    }
}
