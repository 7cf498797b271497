using System.Text;
using Cetus.Storage.Sqlite;
using Cetus.Testing;
using Xunit;

namespace Cetus.Storage.Tests.Sqlite;

/// <summary>What the SQLite backend adds to the contract: one file, one owner, and state that outlives the process.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new("sqlite-store");

    [Fact]
    public async Task Reopen_KeepsDataAndContinuesRevisions()
    {
        var path = _directory.File("state.db");
        long last;
        await using (var store = SqliteStore.Open(path, new StoreOptions { Compaction = null }))
        {
            await store.CreateAsync("/registry/a", Encoding.UTF8.GetBytes("1"));
            last = (await store.CreateAsync("/registry/b", Encoding.UTF8.GetBytes("2"))).Revision;
        }

        await using (var store = SqliteStore.Open(path, new StoreOptions { Compaction = null }))
        {
            Assert.Equal(last, await store.GetCurrentRevisionAsync());
            Assert.Equal("2", Encoding.UTF8.GetString((await store.GetAsync("/registry/b"))!.Value));
            Assert.Equal(last + 1, (await store.CreateAsync("/registry/c", [3])).Revision);
        }
    }

    [Fact]
    public async Task Revisions_AreNeverReused_EvenWhenCompactionRemovedTheNewestRow()
    {
        var path = _directory.File("state.db");
        long deleted;
        await using (var store = SqliteStore.Open(path, new StoreOptions { Compaction = null }))
        {
            await store.CreateAsync("/registry/a", [1]);
            deleted = (await store.DeleteAsync("/registry/a")).Revision;
            await store.CompactAsync(deleted);
        }

        await using (var store = SqliteStore.Open(path, new StoreOptions { Compaction = null }))
        {
            Assert.Equal(deleted, await store.GetCurrentRevisionAsync());
            Assert.Equal(deleted + 1, (await store.CreateAsync("/registry/a", [2])).Revision);
        }
    }

    [Fact]
    public async Task ASecondOpenOfTheSameFile_IsRefusedWithAClearError()
    {
        var path = _directory.File("state.db");
        await using var first = SqliteStore.Open(path);

        var error = Assert.Throws<StoreException>(() => SqliteStore.Open(path));

        Assert.Equal(StoreError.Unavailable, error.Error);
        Assert.Contains("in use by another process", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compaction_RemovesReplacedRows_SoTheFileStopsGrowing()
    {
        var path = _directory.File("state.db");
        await using var store = SqliteStore.Open(path, new StoreOptions { Compaction = null });
        var last = await store.CreateAsync("/registry/hot", new byte[100]);
        for (var i = 0; i < 500; i++)
        {
            last = await store.UpdateAsync("/registry/hot", new byte[100], last.Revision);
        }

        await store.CompactAsync(last.Revision);

        Assert.Equal(1, await CountLogRowsAsync(path));
        Assert.Equal(last.Revision, (await store.GetAsync("/registry/hot"))!.ModRevision);
    }

    public void Dispose() => _directory.Dispose();

    private static async Task<long> CountLogRowsAsync(string path)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM log";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
