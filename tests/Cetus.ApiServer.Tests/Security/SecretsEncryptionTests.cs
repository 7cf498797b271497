using System.Text;
using Cetus.ApiServer.Security;
using Cetus.Storage;
using Cetus.Testing;
using Xunit;

namespace Cetus.ApiServer.Tests.Security;

public sealed class SecretsEncryptionTests : IAsyncLifetime
{
    private const string SecretKey = "/registry/secrets/default/db";
    private readonly TempDirectory _dir = new("encryption");
    private readonly SecretsEncryption _encryption = SecretsEncryption.Ephemeral();
    private IStore _raw = null!;
    private EncryptingStore _store = null!;

    public Task InitializeAsync()
    {
        _raw = Datastore.Open("sqlite://" + _dir.File("state.db"));
        _store = new EncryptingStore(_raw, _encryption);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _raw.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public void Encrypt_ThenDecrypt_RoundTrips_WithKubernetesPrefix_AndARandomNonce()
    {
        var plain = Encoding.UTF8.GetBytes("""{"data":{"password":"c2VjcmV0"}}""");

        var first = _encryption.Encrypt(SecretKey, plain);
        var second = _encryption.Encrypt(SecretKey, plain);

        Assert.StartsWith("k8s:enc:aesgcm:v1:key1:", Encoding.ASCII.GetString(first), StringComparison.Ordinal);
        Assert.NotEqual(first, second);
        Assert.Equal(plain, _encryption.Decrypt(SecretKey, first));
        Assert.Equal(plain, _encryption.Decrypt(SecretKey, plain));
    }

    [Fact]
    public void Ciphertext_MovedToAnotherKey_OrTampered_OrOfAnotherKey_DoesNotDecrypt()
    {
        var sealedValue = _encryption.Encrypt(SecretKey, [1, 2, 3]);
        var tampered = (byte[])sealedValue.Clone();
        tampered[^1] ^= 0xff;

        Assert.Throws<InvalidDataException>(() => _encryption.Decrypt("/registry/secrets/default/other", sealedValue));
        Assert.Throws<InvalidDataException>(() => _encryption.Decrypt(SecretKey, tampered));
        Assert.Throws<InvalidDataException>(() => SecretsEncryption.Ephemeral().Decrypt(SecretKey, sealedValue));
    }

    [Fact]
    public async Task Store_HoldsCiphertextForSecrets_ServesPlainText_AndLeavesOtherKeysAlone()
    {
        var secret = Encoding.UTF8.GetBytes("secret-json");
        var other = Encoding.UTF8.GetBytes("configmap-json");

        var created = await _store.CreateAsync(SecretKey, secret);
        await _store.CreateAsync("/registry/configmaps/default/cm", other);
        var conflict = await _store.UpdateAsync(SecretKey, secret, expectedModRevision: 999);

        Assert.Equal(secret, created.Kv?.Value ?? secret);
        Assert.True(_encryption.IsEncrypted((await _raw.GetAsync(SecretKey))!.Value));
        Assert.Equal(other, (await _raw.GetAsync("/registry/configmaps/default/cm"))!.Value);
        Assert.Equal(secret, (await _store.GetAsync(SecretKey))!.Value);
        Assert.Equal(WriteStatus.Conflict, conflict.Status);
        Assert.Equal(secret, conflict.Kv!.Value);
        var list = await _store.ListAsync("/registry/");
        Assert.Equal(secret, list.Items.Single(kv => kv.Key == SecretKey).Value);
        Assert.Equal(other, list.Items.Single(kv => kv.Key != SecretKey).Value);
    }

    [Fact]
    public async Task Watch_DeliversPlainText()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var watch = _store.WatchAsync("/registry/", 0, cancel.Token).GetAsyncEnumerator(cancel.Token);
        var next = watch.MoveNextAsync();

        var created = await _store.CreateAsync(SecretKey, [42]);
        await _store.UpdateAsync(SecretKey, [43], created.Revision);

        Assert.True(await next);
        Assert.Equal([42], watch.Current.Kv.Value);
        Assert.True(await watch.MoveNextAsync());
        Assert.Equal([43], watch.Current.Kv.Value);
        Assert.Equal([42], watch.Current.PrevKv!.Value);
        await watch.DisposeAsync();
    }

    [Fact]
    public async Task EncryptPlainSecrets_RewritesOnlyPlainSecrets()
    {
        await _raw.CreateAsync(SecretKey, [7]);
        await _raw.CreateAsync("/registry/secrets/kube-system/token", [8]);
        await _raw.CreateAsync("/registry/configmaps/default/cm", [9]);

        var rewritten = await _store.EncryptPlainSecretsAsync(CancellationToken.None);
        var again = await _store.EncryptPlainSecretsAsync(CancellationToken.None);

        Assert.Equal(2, rewritten);
        Assert.Equal(0, again);
        Assert.True(_encryption.IsEncrypted((await _raw.GetAsync(SecretKey))!.Value));
        Assert.Equal([9], (await _raw.GetAsync("/registry/configmaps/default/cm"))!.Value);
        Assert.Equal([7], (await _store.GetAsync(SecretKey))!.Value);
    }

    [Fact]
    public void Load_MakesAKeyOnlyWhenAsked_AndKeepsIt()
    {
        Assert.Null(SecretsEncryption.Load(_dir.Path, enable: false));

        var made = SecretsEncryption.Load(_dir.Path, enable: true)!;
        var sealedValue = made.Encrypt(SecretKey, [5]);
        var reloaded = SecretsEncryption.Load(_dir.Path, enable: false)!;

        Assert.False(reloaded.EncryptWrites);
        Assert.Equal([5], reloaded.Decrypt(SecretKey, sealedValue));
    }
}
