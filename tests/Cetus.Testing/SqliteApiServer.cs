using Cetus.Storage;
using Cetus.Storage.Sqlite;

namespace Cetus.Testing;

/// <summary>
/// An <see cref="InProcessApiServer"/> over a fresh SQLite datastore in a temporary directory, optionally wrapped by
/// the test (a <see cref="DelegatingStore"/> that makes keys collide, holds back watch events, …), with a client.
/// Disposing it stops the server, then the store, then removes the directory.
/// </summary>
/// <typeparam name="TStore">The store the server runs over, as the test sees it.</typeparam>
public sealed class SqliteApiServer<TStore> : IAsyncDisposable
    where TStore : IStore
{
    private SqliteApiServer(TempDirectory directory, TStore store, InProcessApiServer server)
    {
        Directory = directory;
        Store = store;
        Server = server;
        Client = server.CreateClient();
    }

    /// <summary>The temporary directory holding the database.</summary>
    public TempDirectory Directory { get; }

    /// <summary>The datastore the server runs over.</summary>
    public TStore Store { get; }

    /// <summary>The server.</summary>
    public InProcessApiServer Server { get; }

    /// <summary>A client authenticated as the admin.</summary>
    public HttpClient Client { get; }

    /// <summary>Opens the database (no compaction), wraps it with <paramref name="wrap"/> and starts the server over it.</summary>
    public static async Task<SqliteApiServer<TStore>> StartAsync(string purpose, Func<IStore, TStore> wrap)
    {
        ArgumentNullException.ThrowIfNull(wrap);
        var directory = new TempDirectory(purpose);
        var store = wrap(SqliteStore.Open(directory.File("state.db"), new StoreOptions { Compaction = null }));
        return new(directory, store, await InProcessApiServer.StartAsync(store));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        await Store.DisposeAsync();
        Directory.Dispose();
    }
}
