using Cetus.Storage;
using Cetus.Testing;
using Xunit;

namespace Cetus.ApiServer.Tests.Integration;

/// <summary>A real API server in this process over a real SQLite datastore (see <see cref="InProcessApiServer"/>).</summary>
public sealed class ApiServerFixture : IAsyncLifetime
{
    private SqliteApiServer<IStore>? _api;

    public HttpClient Client => _api!.Client;

    /// <summary>A client of its own, with at most <paramref name="maxConnections"/> HTTP/1.1 connections.</summary>
    public HttpClient CreateClient(int maxConnections) => _api!.Server.CreateClient(maxConnections);

    public string KubeconfigPath => _api!.Directory.File("kubeconfig");

    public async Task InitializeAsync()
    {
        _api = await SqliteApiServer<IStore>.StartAsync("apiserver", store => store);
        await _api.Server.WriteKubeconfigAsync(KubeconfigPath);
    }

    public async Task DisposeAsync()
    {
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }
    }
}
