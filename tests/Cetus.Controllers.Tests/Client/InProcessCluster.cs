using Cetus.Storage;
using Cetus.Storage.Sqlite;
using Cetus.Testing;
using k8s;
using Xunit;

namespace Cetus.Controllers.Tests.Client;

/// <summary>An API server in this process on a fresh SQLite store, and an admin client of it (one per test class).</summary>
public sealed class InProcessCluster : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("cluster");
    private IStore? _store;
    private InProcessApiServer? _server;

    /// <summary>The admin client.</summary>
    public Kubernetes Client { get; private set; } = null!;

    /// <summary>Another client of the same cluster, through <paramref name="handlers"/>.</summary>
    public Kubernetes CreateClient(params DelegatingHandler[] handlers) =>
        new(KubernetesClientConfiguration.BuildConfigFromConfigFile(_directory.File("kubeconfig")), handlers);

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _store = SqliteStore.Open(_directory.File("state.db"), new StoreOptions { Compaction = null });
        _server = await InProcessApiServer.StartAsync(_store);
        await _server.WriteKubeconfigAsync(_directory.File("kubeconfig"));
        Client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_directory.File("kubeconfig")));
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _directory.Dispose();
    }
}
