using System.Security.Cryptography;
using System.Text;

namespace Cetus.ApiServer.Security;

/// <summary>
/// Static bearer tokens in kube-apiserver's <c>--token-auth-file</c> format: one CSV record per token,
/// <c>token,user,uid[,"group1,group2"]</c>. As upstream: records with fewer than three fields are an error, empty
/// tokens are skipped, and a token listed twice takes the later record.
/// </summary>
public sealed class TokenFile
{
    private readonly Entry[] _entries;

    private TokenFile(Entry[] entries)
    {
        _entries = entries;
    }

    /// <summary>The number of distinct tokens.</summary>
    public int Count => _entries.Length;

    /// <summary>Reads a token file; throws <see cref="FormatException"/> naming the file and line when it is malformed.</summary>
    public static TokenFile Load(string path)
    {
        var text = File.ReadAllText(path);
        try
        {
            return Parse(text);
        }
        catch (FormatException e)
        {
            throw new FormatException($"token file '{path}': {e.Message}", e);
        }
    }

    /// <summary>Parses the content of a token file.</summary>
    public static TokenFile Parse(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var byToken = new Dictionary<string, Entry>(StringComparer.Ordinal);
        foreach (var (line, fields) in CsvRecords.Read(content))
        {
            if (fields.Count < 3)
            {
                throw new FormatException($"line {line}: must have at least 3 columns (token, user name, user uid), found {fields.Count}");
            }

            if (fields[0].Length == 0)
            {
                continue;
            }

            IReadOnlyList<string> groups = fields.Count >= 4 ? fields[3].Split(',') : [];
            byToken[fields[0]] = new Entry(Digest(fields[0]), new UserInfo(fields[1], fields[2], groups));
        }

        return new TokenFile([.. byToken.Values]);
    }

    /// <summary>
    /// The user a token belongs to, or null. Every entry is compared in constant time, so the time taken tells nothing
    /// about how close a guess came to a real token.
    /// </summary>
    public UserInfo? Authenticate(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var digest = Digest(token);
        UserInfo? found = null;
        foreach (var entry in _entries)
        {
            if (CryptographicOperations.FixedTimeEquals(entry.Digest, digest))
            {
                found = entry.User;
            }
        }

        return found;
    }

    // Comparing fixed-length digests hides the tokens' lengths as well as their contents.
    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private sealed record Entry(byte[] Digest, UserInfo User);
}
