using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Cetus.Storage;

namespace Cetus.ApiServer.Security;

/// <summary>
/// Secrets encryption at rest, as kube-apiserver's aesgcm provider: what the datastore holds for a Secret is
/// <c>k8s:enc:aesgcm:v1:{keyName}:</c> + a 12-byte nonce + AES-256-GCM ciphertext and tag, with the datastore key as
/// associated data (a value moved to another key does not decrypt). Values without the prefix are read as plain text,
/// so turning encryption on later works; the key lives in <c>{dataDir}/tls/secrets-encryption.key</c> (0600).
/// </summary>
public sealed class SecretsEncryption
{
    /// <summary>The datastore prefix of the values encrypted.</summary>
    public const string SecretsPrefix = "/registry/secrets/";

    private const string KeyFile = "secrets-encryption.key";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _prefix;
    private readonly byte[] _key;

    private SecretsEncryption(string keyName, byte[] key, bool encryptWrites)
    {
        KeyName = keyName;
        _key = key;
        EncryptWrites = encryptWrites;
        _prefix = Encoding.ASCII.GetBytes($"k8s:enc:aesgcm:v1:{keyName}:");
    }

    /// <summary>The key's name in stored values.</summary>
    public string KeyName { get; }

    /// <summary>Whether new writes are encrypted (reads decrypt either way).</summary>
    public bool EncryptWrites { get; }

    /// <summary>
    /// Loads the key from <c>{dataDir}/tls/secrets-encryption.key</c>, creating it when <paramref name="enable"/> is set;
    /// null when encryption is off and no key was ever made (nothing to decrypt).
    /// </summary>
    public static SecretsEncryption? Load(string dataDir, bool enable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        var directory = Path.Combine(dataDir, "tls");
        var path = Path.Combine(directory, KeyFile);
        byte[] key;
        if (File.Exists(path))
        {
            try
            {
                key = Convert.FromBase64String(File.ReadAllText(path).Trim());
            }
            catch (FormatException e)
            {
                throw new InvalidOperationException($"{path} must hold a base64 AES-256 key; it does not ({e.Message})", e);
            }

            if (key.Length != 32)
            {
                throw new InvalidOperationException($"{path} must hold a 32-byte AES-256 key in base64; it holds {key.Length} bytes");
            }
        }
        else if (enable)
        {
            SecureFile.EnsurePrivateDirectory(directory);
            key = RandomNumberGenerator.GetBytes(32);
            SecureFile.Write(path, Convert.ToBase64String(key) + "\n");
        }
        else
        {
            return null;
        }

        return new SecretsEncryption("key1", key, enable);
    }

    /// <summary>A fresh in-memory key (tests).</summary>
    public static SecretsEncryption Ephemeral(bool encryptWrites = true) => new("key1", RandomNumberGenerator.GetBytes(32), encryptWrites);

    /// <summary>Whether <paramref name="value"/> is encrypted by this provider.</summary>
    public bool IsEncrypted(ReadOnlySpan<byte> value) => value.StartsWith(_prefix);

    /// <summary>Encrypts a value to be stored at <paramref name="key"/>.</summary>
    public byte[] Encrypt(string key, byte[] plain)
    {
        var output = new byte[_prefix.Length + NonceSize + plain.Length + TagSize];
        _prefix.CopyTo(output, 0);
        var nonce = output.AsSpan(_prefix.Length, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(_prefix.Length + NonceSize, plain.Length), output.AsSpan(output.Length - TagSize), Encoding.UTF8.GetBytes(key));
        return output;
    }

    /// <summary>Decrypts a value read from <paramref name="key"/>; plain values come back as they are.</summary>
    public byte[] Decrypt(string key, byte[] stored)
    {
        if (!IsEncrypted(stored))
        {
            return stored;
        }

        var body = stored.AsSpan(_prefix.Length);
        if (body.Length < NonceSize + TagSize)
        {
            throw new InvalidDataException($"the encrypted value at {key} is truncated");
        }

        var plain = new byte[body.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        try
        {
            aes.Decrypt(body[..NonceSize], body[NonceSize..^TagSize], body[^TagSize..], plain, Encoding.UTF8.GetBytes(key));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new InvalidDataException($"the value at {key} does not decrypt with the key in tls/secrets-encryption.key (another key, or tampered)", e);
        }

        return plain;
    }
}

/// <summary>
/// The datastore as the API server sees it with secrets encryption: Secret values are encrypted on the way in and
/// decrypted on the way out (gets, lists, watch events and the current values that conflicts return); everything else
/// passes through untouched.
/// </summary>
public sealed class EncryptingStore(IStore inner, SecretsEncryption encryption) : IStore
{
    /// <inheritdoc />
    public string KeyPrefix => inner.KeyPrefix;

    /// <inheritdoc />
    public Task<long> GetCurrentRevisionAsync(CancellationToken cancellationToken = default) => inner.GetCurrentRevisionAsync(cancellationToken);

    /// <inheritdoc />
    public Task<long> GetCompactRevisionAsync(CancellationToken cancellationToken = default) => inner.GetCompactRevisionAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<KeyValue?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        Open(await inner.GetAsync(key, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<ListResult> ListAsync(string prefix, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = await inner.ListAsync(prefix, options, cancellationToken).ConfigureAwait(false);
        return Covers(prefix) ? result with { Items = result.Items.Select(kv => Open(kv)!).ToList() } : result;
    }

    /// <inheritdoc />
    public Task<long> CountAsync(string prefix, CancellationToken cancellationToken = default) => inner.CountAsync(prefix, cancellationToken);

    /// <inheritdoc />
    public async Task<WriteResult> CreateAsync(string key, byte[] value, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        Open(await inner.CreateAsync(key, Seal(key, value), options, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<WriteResult> UpdateAsync(string key, byte[] value, long expectedModRevision, WriteOptions? options = null, CancellationToken cancellationToken = default) =>
        Open(await inner.UpdateAsync(key, Seal(key, value), expectedModRevision, options, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async Task<WriteResult> DeleteAsync(string key, long? expectedModRevision = null, CancellationToken cancellationToken = default) =>
        Open(await inner.DeleteAsync(key, expectedModRevision, cancellationToken).ConfigureAwait(false));

    /// <inheritdoc />
    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long afterRevision, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var covers = Covers(prefix);
        await foreach (var change in inner.WatchAsync(prefix, afterRevision, cancellationToken).ConfigureAwait(false))
        {
            yield return covers && IsSecret(change.Kv.Key) ? change with { Kv = Open(change.Kv)!, PrevKv = Open(change.PrevKv) } : change;
        }
    }

    /// <inheritdoc />
    public Task CompactAsync(long revision, CancellationToken cancellationToken = default) => inner.CompactAsync(revision, cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => inner.DisposeAsync();

    /// <summary>
    /// Rewrites every Secret still stored in plain text in encrypted form (compare-and-swap, so a concurrent write
    /// wins); returns how many were rewritten. Run when encryption is turned on for a datastore that had none.
    /// </summary>
    public async Task<int> EncryptPlainSecretsAsync(CancellationToken cancellationToken)
    {
        if (!encryption.EncryptWrites)
        {
            return 0;
        }

        var rewritten = 0;
        string? after = null;
        var revision = 0L;
        while (true)
        {
            var page = await inner.ListAsync(SecretsEncryption.SecretsPrefix, new ListOptions { Limit = 500, ContinueAfterKey = after, Revision = revision }, cancellationToken).ConfigureAwait(false);
            revision = page.Revision;
            foreach (var kv in page.Items.Where(kv => !encryption.IsEncrypted(kv.Value)))
            {
                var result = await inner.UpdateAsync(kv.Key, encryption.Encrypt(kv.Key, kv.Value), kv.ModRevision, null, cancellationToken).ConfigureAwait(false);
                rewritten += result.Succeeded ? 1 : 0;
            }

            if (!page.HasMore || page.Items.Count == 0)
            {
                return rewritten;
            }

            after = page.Items[^1].Key;
        }
    }

    private static bool IsSecret(string key) => key.StartsWith(SecretsEncryption.SecretsPrefix, StringComparison.Ordinal);

    // A watch or list of a prefix that may hold secrets ("/registry/" does too).
    private static bool Covers(string prefix) =>
        IsSecret(prefix) || SecretsEncryption.SecretsPrefix.StartsWith(prefix, StringComparison.Ordinal);

    private byte[] Seal(string key, byte[] value) => encryption.EncryptWrites && IsSecret(key) ? encryption.Encrypt(key, value) : value;

    private KeyValue? Open(KeyValue? kv) =>
        kv is not null && IsSecret(kv.Key) && encryption.IsEncrypted(kv.Value) ? kv with { Value = encryption.Decrypt(kv.Key, kv.Value) } : kv;

    private WriteResult Open(WriteResult result) => result.Kv is null ? result : result with { Kv = Open(result.Kv) };
}
