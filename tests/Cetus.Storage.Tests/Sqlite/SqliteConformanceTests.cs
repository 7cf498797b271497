using Cetus.Storage.Conformance;
using Cetus.Storage.Sqlite;
using Cetus.Testing;

namespace Cetus.Storage.Tests.Sqlite;

/// <summary>The conformance suite on the embedded SQLite backend, a fresh database file per store.</summary>
public sealed class SqliteConformanceTests : StoreConformanceTests, IDisposable
{
    private readonly TempDirectory _directory = new("sqlite");
    private int _count;

    protected override Task<IStore> OpenStoreAsync(StoreOptions options) =>
        Task.FromResult<IStore>(SqliteStore.Open(_directory.File($"state-{_count++}.db"), options));

    public void Dispose() => _directory.Dispose();
}
