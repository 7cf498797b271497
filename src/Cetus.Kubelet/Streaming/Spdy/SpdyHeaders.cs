using System.Collections;

namespace Cetus.Kubelet.Streaming.Spdy;

/// <summary>
/// A SPDY header block: lower-case names (SPDY/3 requires them; Go's framer rejects any other) to values. A value
/// holding several values keeps SPDY's NUL separators; <see cref="Get"/> returns the first, as Go's Header.Get does.
/// Immutable once built.
/// </summary>
public sealed class SpdyHeaders : IReadOnlyDictionary<string, string>
{
    private readonly Dictionary<string, string> _values;

    /// <summary>An empty block (what the kubelet's SYN_REPLY carries).</summary>
    public static SpdyHeaders Empty { get; } = new([]);

    /// <summary>A block of the given pairs; names are lower-cased, a repeated name is an error.</summary>
    public SpdyHeaders(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        _values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in pairs)
        {
            if (name.Length == 0 || !_values.TryAdd(name.ToLowerInvariant(), value))
            {
                throw new ArgumentException($"empty or repeated header name '{name}'", nameof(pairs));
            }
        }
    }

    /// <summary>The first value of <paramref name="name"/> (any case), or null.</summary>
    public string? Get(string name) =>
        _values.TryGetValue(name.ToLowerInvariant(), out var value) ? value.Split('\0')[0] : null;

    /// <inheritdoc/>
    public string this[string key] => _values[key];

    /// <inheritdoc/>
    public IEnumerable<string> Keys => _values.Keys;

    /// <inheritdoc/>
    public IEnumerable<string> Values => _values.Values;

    /// <inheritdoc/>
    public int Count => _values.Count;

    /// <inheritdoc/>
    public bool ContainsKey(string key) => _values.ContainsKey(key);

    /// <inheritdoc/>
    public bool TryGetValue(string key, out string value) => _values.TryGetValue(key, out value!);

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
