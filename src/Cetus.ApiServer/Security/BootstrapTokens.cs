using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Cetus.ApiServer.Security;

/// <summary>
/// Bootstrap (join) tokens as k8s.io/cluster-bootstrap defines them: <c>&lt;id&gt;.&lt;secret&gt;</c>, a 6-character id and a
/// 16-character secret of [a-z0-9], kept in the Secret <c>kube-system/bootstrap-token-&lt;id&gt;</c> of type
/// <c>bootstrap.kubernetes.io/token</c>.
/// </summary>
public static partial class BootstrapTokens
{
    /// <summary>The Secret type of a bootstrap token.</summary>
    public const string SecretType = "bootstrap.kubernetes.io/token";

    /// <summary>The namespace the token Secrets live in.</summary>
    public const string Namespace = "kube-system";

    /// <summary>The prefix of a token Secret's name; the token id follows.</summary>
    public const string SecretPrefix = "bootstrap-token-";

    /// <summary>The prefix of a bootstrap token's user name; the token id follows.</summary>
    public const string UserPrefix = "system:bootstrap:";

    /// <summary>The group every bootstrap token's user is in.</summary>
    public const string Group = "system:bootstrappers";

    /// <summary>Secret keys (bootstrapapi).</summary>
    public const string IdKey = "token-id";

    /// <summary>The secret half of the token.</summary>
    public const string SecretKey = "token-secret";

    /// <summary>When the token expires (RFC 3339).</summary>
    public const string ExpirationKey = "expiration";

    /// <summary>A human description.</summary>
    public const string DescriptionKey = "description";

    /// <summary>Extra groups (comma-separated, each system:bootstrappers:…).</summary>
    public const string ExtraGroupsKey = "auth-extra-groups";

    /// <summary>"true" when the token may authenticate to the API server.</summary>
    public const string UsageAuthenticationKey = "usage-bootstrap-authentication";

    /// <summary>"true" when the token may sign the cluster-info ConfigMap.</summary>
    public const string UsageSigningKey = "usage-bootstrap-signing";

    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Splits a token into its id and secret; null when it does not have the bootstrap token's form.</summary>
    public static (string Id, string Secret)? Parse(string token)
    {
        var match = TokenPattern().Match(token);
        return match.Success ? (match.Groups[1].Value, match.Groups[2].Value) : null;
    }

    /// <summary>A new random token (the id and the secret from a CSPRNG).</summary>
    public static (string Id, string Secret) Generate() =>
        (RandomNumberGenerator.GetString(Alphabet, 6), RandomNumberGenerator.GetString(Alphabet, 16));

    /// <summary>Whether <paramref name="group"/> may be an extra group of a token (system:bootstrappers:…).</summary>
    public static bool IsValidExtraGroup(string group) => ExtraGroupPattern().IsMatch(group);

    /// <summary>The Secret that holds a token.</summary>
    public static V1Secret ToSecret(string id, string secret, DateTimeOffset? expiration, string? description, IReadOnlyList<string> extraGroups)
    {
        var data = new Dictionary<string, string>
        {
            [IdKey] = id,
            [SecretKey] = secret,
            [UsageAuthenticationKey] = "true",
            [UsageSigningKey] = "true",
        };
        if (expiration is { } expires)
        {
            data[ExpirationKey] = expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        }

        if (!string.IsNullOrEmpty(description))
        {
            data[DescriptionKey] = description;
        }

        if (extraGroups.Count > 0)
        {
            data[ExtraGroupsKey] = string.Join(',', extraGroups);
        }

        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new V1ObjectMeta { Name = SecretPrefix + id, NamespaceProperty = Namespace },
            Type = SecretType,
            Data = data.ToDictionary(p => p.Key, p => Encoding.UTF8.GetBytes(p.Value)),
        };
    }

    /// <summary>
    /// The user a token stands for, checked against its Secret as upstream's bootstrap authenticator does; null with the
    /// reason when the Secret does not accept it.
    /// </summary>
    public static (UserInfo? User, string? Error) Authenticate(string id, string secret, V1Secret? stored, DateTimeOffset now)
    {
        if (stored is null)
        {
            return (null, $"secret {Namespace}/{SecretPrefix}{id} not found");
        }

        if (stored.Metadata?.DeletionTimestamp is not null)
        {
            return (null, "the token's secret is being deleted");
        }

        if (stored.Type != SecretType)
        {
            return (null, $"the token's secret has type {stored.Type}, not {SecretType}");
        }

        var storedSecret = Value(stored, SecretKey);
        if (storedSecret is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(storedSecret), Encoding.UTF8.GetBytes(secret)))
        {
            return (null, "the token's secret does not match");
        }

        if (Value(stored, IdKey) != id)
        {
            return (null, "the token's id does not match its secret");
        }

        if (Value(stored, ExpirationKey) is { } expiration
            && (!DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var expires) || expires <= now))
        {
            return (null, "the token has expired");
        }

        if (Value(stored, UsageAuthenticationKey) != "true")
        {
            return (null, "the token may not be used for authentication");
        }

        var groups = new List<string> { Group };
        if (Value(stored, ExtraGroupsKey) is { Length: > 0 } extra)
        {
            foreach (var group in extra.Split(','))
            {
                if (!IsValidExtraGroup(group))
                {
                    return (null, $"the token has an invalid extra group {group}");
                }

                if (!groups.Contains(group))
                {
                    groups.Add(group);
                }
            }
        }

        return (new UserInfo(UserPrefix + id, string.Empty, groups), null);
    }

    private static string? Value(V1Secret secret, string key) =>
        secret.Data?.TryGetValue(key, out var bytes) == true ? Encoding.UTF8.GetString(bytes)
        : secret.StringData?.TryGetValue(key, out var text) == true ? text
        : null;

    [GeneratedRegex("^([a-z0-9]{6})\\.([a-z0-9]{16})$", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();

    [GeneratedRegex("^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex ExtraGroupPattern();
}
