using System.Text;

namespace Cetus.Storage;

/// <summary>Validation of keys and values, and the byte ranges that prefixes cover. Shared by every backend.</summary>
internal static class KeyRules
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Checks a key and returns its UTF-8 bytes (the order of keys is the order of these bytes, as in etcd).</summary>
    public static byte[] Key(StoreOptions options, string? key, string what = "key")
    {
        if (string.IsNullOrEmpty(key))
        {
            throw new StoreException(StoreError.InvalidKey, $"{what} must not be empty");
        }

        if (!key.StartsWith(options.KeyPrefix, StringComparison.Ordinal))
        {
            throw new StoreException(StoreError.InvalidKey, $"{what} '{Shorten(key)}' must start with '{options.KeyPrefix}'");
        }

        if (key.Contains('\0', StringComparison.Ordinal))
        {
            throw new StoreException(StoreError.InvalidKey, $"{what} '{Shorten(key)}' must not contain NUL characters");
        }

        try
        {
            return StrictUtf8.GetBytes(key);
        }
        catch (EncoderFallbackException)
        {
            throw new StoreException(StoreError.InvalidKey, $"{what} '{Shorten(key)}' is not valid Unicode text");
        }
    }

    /// <summary>Checks a value against the size limit.</summary>
    public static void Value(StoreOptions options, byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > options.MaxValueBytes)
        {
            throw new StoreException(StoreError.ValueTooLarge, $"value of {value.Length} bytes is larger than the limit of {options.MaxValueBytes} bytes");
        }
    }

    /// <summary>
    /// Checks a list's prefix and options and returns the byte range it reads: from the prefix (or just after the
    /// continue key, when that lies past the prefix) up to the end of the prefix.
    /// </summary>
    public static (byte[] From, byte[] End) ListRange(StoreOptions options, string prefix, ListOptions list)
    {
        var prefixBytes = Key(options, prefix, "prefix");
        List(options, list);
        var from = prefixBytes;
        if (list.ContinueAfterKey is { } after)
        {
            var afterBytes = Key(options, after, "continue key");
            if (afterBytes.AsSpan().SequenceCompareTo(prefixBytes) >= 0)
            {
                from = After(afterBytes);
            }
        }

        return (from, PrefixEnd(prefixBytes));
    }

    /// <summary>Checks list options.</summary>
    private static void List(StoreOptions options, ListOptions list)
    {
        if (list.Limit < 0)
        {
            throw new StoreException(StoreError.InvalidArgument, $"limit must not be negative (got {list.Limit})");
        }

        if (list.Revision < 0)
        {
            throw new StoreException(StoreError.InvalidArgument, $"revision must not be negative (got {list.Revision})");
        }
    }

    /// <summary>Checks a revision a compare-and-swap expects.</summary>
    public static void ExpectedRevision(long revision)
    {
        if (revision <= 0)
        {
            throw new StoreException(StoreError.InvalidArgument, $"expected revision must be positive (got {revision})");
        }
    }

    /// <summary>Checks a time-to-live.</summary>
    public static void Write(WriteOptions? options)
    {
        if (options?.TimeToLive is { } ttl && ttl <= TimeSpan.Zero)
        {
            throw new StoreException(StoreError.InvalidArgument, $"time-to-live must be positive (got {ttl})");
        }
    }

    /// <summary>
    /// The smallest byte string greater than every string starting with <paramref name="prefix"/>: the last byte
    /// below 0xFF incremented, the 0xFF bytes after it dropped (etcd's rule). Empty means "to the end".
    /// </summary>
    public static byte[] PrefixEnd(byte[] prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] < 0xFF)
            {
                var end = prefix[..(i + 1)];
                end[i]++;
                return end;
            }
        }

        return [];
    }

    /// <summary>The key right after <paramref name="key"/> in byte order: the key followed by a zero byte.</summary>
    public static byte[] After(byte[] key)
    {
        var next = new byte[key.Length + 1];
        key.CopyTo(next, 0);
        return next;
    }

    public static string Text(byte[] key) => Encoding.UTF8.GetString(key);

    private static string Shorten(string key) => key.Length <= 80 ? key : key[..80] + "…";
}
