using Cetus.Storage.Etcd;
using Cetus.Storage.Sqlite;
using Cetus.Testing;
using Xunit;

namespace Cetus.Storage.Tests;

public sealed class DatastoreTests : IDisposable
{
    private readonly TempDirectory _directory = new("datastore");

    [Fact]
    public async Task SqliteUri_OpensTheFileItNames()
    {
        var path = _directory.File("sub/state.db");

        await using var store = Datastore.Open("sqlite://" + path);

        Assert.Equal(path, Assert.IsType<SqliteStore>(store).Path);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task EtcdUri_TakesAListOfEndpoints()
    {
        await using var store = Datastore.Open("etcd://127.0.0.1:1,127.0.0.1:2, 127.0.0.1:3");

        Assert.Equal("http://127.0.0.1:1,http://127.0.0.1:2,http://127.0.0.1:3", Assert.IsType<EtcdStore>(store).Endpoints);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/var/lib/state.db")]
    [InlineData("mysql://db")]
    [InlineData("sqlite://")]
    [InlineData("etcd://")]
    [InlineData("etcd://hostwithoutport")]
    public void MalformedValues_AreRefusedWithTheFormsToUse(string value)
    {
        var error = Assert.Throws<StoreException>(() => Datastore.Open(value));

        Assert.Equal(StoreError.InvalidArgument, error.Error);
        Assert.Contains("sqlite:///", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Dispose();
}
