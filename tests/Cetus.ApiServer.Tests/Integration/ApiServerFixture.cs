using Cetus.Storage;
using Cetus.Storage.Sqlite;
using Cetus.Testing;
using Xunit;

namespace Cetus.ApiServer.Tests.Integration;

/// <summary>A real API server in this process over a real SQLite datastore (see <see cref="InProcessApiServer"/>).</summary>
public sealed class ApiServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("apiserver");
    private IStore? _store;
    private InProcessApiServer? _server;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>A client of its own, with at most <paramref name="maxConnections"/> HTTP/1.1 connections.</summary>
    public HttpClient CreateClient(int maxConnections) => _server!.CreateClient(maxConnections);

    public string KubeconfigPath => _directory.File("kubeconfig");

    public async Task InitializeAsync()
    {
        _store = SqliteStore.Open(_directory.File("state.db"), new StoreOptions { Compaction = null });
        _server = await InProcessApiServer.StartAsync(_store);
        Client = _server.CreateClient();
        await _server.WriteKubeconfigAsync(KubeconfigPath);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
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
