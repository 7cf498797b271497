using Xunit;

namespace Cetus.Storage.Conformance;

public abstract partial class StoreConformanceTests
{
    /// <summary>Invalid keys; an index chooses one, so that test names stay printable.</summary>
    private string InvalidKey(int index) => index switch
    {
        0 => string.Empty,
        1 => "/elsewhere/pods/a",
        2 => "registry-without-leading-slash",
        3 => Prefix + "pods/with-\0-nul",
        _ => Prefix + "pods/\ud800-lone-surrogate",
    };

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task InvalidKeys_AreRefusedClearly_AndNothingIsWritten(int index)
    {
        var key = InvalidKey(index);
        var before = await Store.GetCurrentRevisionAsync();

        var create = await Assert.ThrowsAsync<StoreException>(() => Store.CreateAsync(key, Bytes("x")));
        var update = await Assert.ThrowsAsync<StoreException>(() => Store.UpdateAsync(key, Bytes("x"), 1));
        var delete = await Assert.ThrowsAsync<StoreException>(() => Store.DeleteAsync(key));
        var get = await Assert.ThrowsAsync<StoreException>(() => Store.GetAsync(key));
        var list = await Assert.ThrowsAsync<StoreException>(() => Store.ListAsync(key));

        Assert.All(new[] { create, update, delete, get, list }, e => Assert.Equal(StoreError.InvalidKey, e.Error));
        Assert.False(string.IsNullOrWhiteSpace(create.Message));
        Assert.Equal(before, await Store.GetCurrentRevisionAsync());
    }

    [Fact]
    public async Task AValueOverTheLimit_IsRefused_AndNothingIsWritten()
    {
        var created = await MustCreate("big/a", "small");
        var before = await Store.GetCurrentRevisionAsync();
        var tooBig = new byte[StoreOptions.DefaultMaxValueBytes + 1];

        var create = await Assert.ThrowsAsync<StoreException>(() => Store.CreateAsync(Key("big/b"), tooBig));
        var update = await Assert.ThrowsAsync<StoreException>(() => Store.UpdateAsync(Key("big/a"), tooBig, created.Revision));

        Assert.Equal(StoreError.ValueTooLarge, create.Error);
        Assert.Equal(StoreError.ValueTooLarge, update.Error);
        Assert.Contains("limit", create.Message, StringComparison.Ordinal);
        Assert.Equal(before, await Store.GetCurrentRevisionAsync());
        Assert.Null(await Store.GetAsync(Key("big/b")));
        Assert.Equal("small", Text((await Store.GetAsync(Key("big/a")))!.Value));
    }

    [Fact]
    public async Task OutOfRangeArguments_AreRefusedClearly()
    {
        await MustCreate("a/a", "x");
        var before = await Store.GetCurrentRevisionAsync();

        var errors = new[]
        {
            await Assert.ThrowsAsync<StoreException>(() => Store.ListAsync(Key("a/"), new ListOptions { Limit = -1 })),
            await Assert.ThrowsAsync<StoreException>(() => Store.ListAsync(Key("a/"), new ListOptions { Revision = -5 })),
            await Assert.ThrowsAsync<StoreException>(() => Store.UpdateAsync(Key("a/a"), Bytes("y"), 0)),
            await Assert.ThrowsAsync<StoreException>(() => Store.UpdateAsync(Key("a/a"), Bytes("y"), -1)),
            await Assert.ThrowsAsync<StoreException>(() => Store.DeleteAsync(Key("a/a"), 0)),
            await Assert.ThrowsAsync<StoreException>(() => Store.CreateAsync(Key("a/b"), Bytes("y"), new WriteOptions { TimeToLive = TimeSpan.FromSeconds(-1) })),
            await Assert.ThrowsAsync<StoreException>(() => Store.CompactAsync(0)),
            await Assert.ThrowsAsync<StoreException>(() => CollectAsync(Store.WatchAsync(Key("a/"), -1), _ => true, 5)),
        };

        Assert.All(errors, e => Assert.Equal(StoreError.InvalidArgument, e.Error));
        Assert.Equal(before, await Store.GetCurrentRevisionAsync());
        Assert.Equal("x", Text((await Store.GetAsync(Key("a/a")))!.Value));
    }
}
