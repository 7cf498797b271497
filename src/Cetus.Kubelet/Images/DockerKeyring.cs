using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Cetus.Kubelet.Images;

/// <summary>One registry credential from a pull secret, as upstream's keyring hands it to a pull.</summary>
/// <param name="Username">The user name (from <c>username</c>, or the first half of the decoded <c>auth</c>).</param>
/// <param name="Password">The password (from <c>password</c>, or the second half of the decoded <c>auth</c>).</param>
/// <param name="Email">The e-mail address (kept for completeness; CRI has no field for it).</param>
public sealed record RegistryCredential(string Username, string Password, string Email);

/// <summary>
/// Registry credentials indexed by registry location, as upstream's BasicDockerKeyring (pkg/credentialprovider
/// keyring.go) built by MakeDockerKeyring from a pod's image pull secrets (pkg/credentialprovider/secrets):
/// <list type="bullet">
/// <item>a location is a host with an optional port and path (<c>https://</c> or <c>http://</c> and a leading
/// <c>/v1/</c> or <c>/v2/</c> are dropped); host labels may hold globs (<c>*.example.com</c>);</item>
/// <item><see cref="Lookup"/> returns the credentials of every location that matches the image's repository (same port,
/// same number of host labels each matching its glob, the location's path a prefix of the repository's), most specific
/// first (the locations in reverse ordinal order), and, when none matches, those of <c>index.docker.io</c> for an image
/// of the default registry (Docker Hub).</item>
/// </list>
/// </summary>
public sealed class DockerKeyring
{
    /// <summary>The secret type of a <c>~/.docker/config.json</c> (<c>{"auths": {LOCATION: ENTRY}}</c> under <c>.dockerconfigjson</c>).</summary>
    public const string DockerConfigJsonType = "kubernetes.io/dockerconfigjson";

    /// <summary>The secret type of a legacy <c>~/.dockercfg</c> (<c>{LOCATION: ENTRY}</c> under <c>.dockercfg</c>).</summary>
    public const string DockerCfgType = "kubernetes.io/dockercfg";

    private const string DefaultRegistryHost = "index.docker.io";

    // Reverse ordinal order: "quay.io/coreos" before "quay.io", so the more specific location comes first.
    private readonly SortedDictionary<string, List<RegistryCredential>> _credentials = new(Comparer<string>.Create((a, b) => string.CompareOrdinal(b, a)));

    /// <summary>True when the keyring holds no credential.</summary>
    public bool IsEmpty => _credentials.Count == 0;

    /// <summary>
    /// The keyring of <paramref name="secrets"/> (in order): each <see cref="DockerConfigJsonType"/> secret's
    /// <c>.dockerconfigjson</c> and each <see cref="DockerCfgType"/> secret's <c>.dockercfg</c>; other secrets are
    /// ignored. A <see cref="FormatException"/> when one of them cannot be parsed (upstream fails the pull then).
    /// </summary>
    public static DockerKeyring FromSecrets(IEnumerable<V1Secret> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var keyring = new DockerKeyring();
        foreach (var secret in secrets)
        {
            if (secret.Type == DockerConfigJsonType && secret.Data?.TryGetValue(".dockerconfigjson", out var json) == true && json.Length > 0)
            {
                keyring.Add(ParseConfig(json, auths: true));
            }
            else if (secret.Type == DockerCfgType && secret.Data?.TryGetValue(".dockercfg", out var cfg) == true && cfg.Length > 0)
            {
                keyring.Add(ParseConfig(cfg, auths: false));
            }
        }

        return keyring;
    }

    /// <summary>Adds the credentials of one docker config (location → credential); unparsable locations are skipped.</summary>
    public void Add(IEnumerable<KeyValuePair<string, RegistryCredential>> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var (location, credential) in config)
        {
            var value = location.StartsWith("https://", StringComparison.Ordinal) || location.StartsWith("http://", StringComparison.Ordinal)
                ? location[(location.IndexOf("//", StringComparison.Ordinal) + 2)..]
                : location;
            var (host, path) = SplitLocation(value);
            if (host.Length == 0 && path.Length == 0)
            {
                continue;
            }

            // Docker treats /v1/ and /v2/ as the host itself (ResolveAuthConfig).
            if (path.StartsWith("/v2/", StringComparison.Ordinal) || path.StartsWith("/v1/", StringComparison.Ordinal))
            {
                path = path[3..];
            }

            var key = path.Length > 0 && path != "/" ? host + path : host;
            if (!_credentials.TryGetValue(key, out var list))
            {
                _credentials[key] = list = [];
            }

            list.Add(credential);
        }
    }

    /// <summary>
    /// The credentials to try for <paramref name="repository"/> (a normalized repository without tag or digest, as
    /// <see cref="RepositoryToPull"/> gives), most specific location first; empty when none applies.
    /// </summary>
    public IReadOnlyList<RegistryCredential> Lookup(string repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        var found = new List<RegistryCredential>();
        foreach (var (key, credentials) in _credentials)
        {
            if (UrlsMatch(key, repository))
            {
                found.AddRange(credentials);
            }
        }

        if (found.Count == 0 && IsDefaultRegistryMatch(repository) && _credentials.TryGetValue(DefaultRegistryHost, out var hub))
        {
            found.AddRange(hub);
        }

        return found;
    }

    /// <summary>
    /// True when <paramref name="target"/> (host[:port][/path]) matches the location <paramref name="glob"/>: the same
    /// port, the same number of host labels, each label matching its glob (<c>*</c>, <c>?</c>, <c>[…]</c> as Go's
    /// filepath.Match), and the location's path a prefix of the target's. Wildcards in ports and paths are not supported
    /// (as upstream).
    /// </summary>
    public static bool UrlsMatch(string glob, string target)
    {
        ArgumentNullException.ThrowIfNull(glob);
        ArgumentNullException.ThrowIfNull(target);
        var (globHost, globPath) = SplitLocation(glob);
        var (targetHost, targetPath) = SplitLocation(target);
        var (globLabels, globPort) = SplitHost(globHost);
        var (targetLabels, targetPort) = SplitHost(targetHost);
        if (globPort != targetPort || globLabels.Length != targetLabels.Length || !targetPath.StartsWith(globPath, StringComparison.Ordinal))
        {
            return false;
        }

        for (var i = 0; i < globLabels.Length; i++)
        {
            if (!GlobMatch(globLabels[i], targetLabels[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when <paramref name="image"/> is pulled from the default registry (Docker Hub): no registry part, or
    /// <c>docker.io</c> / <c>index.docker.io</c>, or a first part with neither <c>.</c> nor <c>:</c> (a Hub user name).
    /// </summary>
    public static bool IsDefaultRegistryMatch(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var slash = image.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? image : image[..slash];
        if (first.Length == 0)
        {
            return false;
        }

        return slash < 0 || first is "docker.io" or DefaultRegistryHost || first.IndexOfAny(['.', ':']) < 0;
    }

    /// <summary>
    /// The repository an image reference pulls from, normalized as Docker's ParseNormalizedNamed (what upstream's
    /// keyring is asked about): <c>busybox:1.36</c> → <c>docker.io/library/busybox</c>, <c>me/app</c> →
    /// <c>docker.io/me/app</c>, <c>index.docker.io/x/y</c> → <c>docker.io/x/y</c>, <c>reg.example:5000/app@sha256:…</c>
    /// → <c>reg.example:5000/app</c>.
    /// </summary>
    public static string RepositoryToPull(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var name = image;
        var at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            name = name[..at];
        }

        var colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            name = name[..colon];
        }

        var slash = name.IndexOf('/', StringComparison.Ordinal);
        string domain, remainder;
        if (slash < 0 || (name[..slash].IndexOfAny(['.', ':']) < 0 && name[..slash] != "localhost" && name[..slash] == name[..slash].ToLowerInvariant()))
        {
            (domain, remainder) = ("docker.io", name);
        }
        else
        {
            (domain, remainder) = (name[..slash], name[(slash + 1)..]);
        }

        if (domain == DefaultRegistryHost)
        {
            domain = "docker.io";
        }

        if (domain == "docker.io" && !remainder.Contains('/', StringComparison.Ordinal))
        {
            remainder = "library/" + remainder;
        }

        return domain + "/" + remainder;
    }

    /// <summary>The credential of an <c>auth</c> field: base64 of <c>username:password</c>.</summary>
    public static (string Username, string Password) DecodeAuth(string auth)
    {
        ArgumentNullException.ThrowIfNull(auth);
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(auth);
        }
        catch (FormatException e)
        {
            throw new FormatException("illegal base64 data in the auth field of a docker config", e);
        }

        var text = Encoding.UTF8.GetString(bytes);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? throw new FormatException("unable to parse auth field, must be formatted as base64(username:password)")
            : (text[..colon], text[(colon + 1)..]);
    }

    // A docker config: {"auths": {LOCATION: ENTRY}} (config.json) or {LOCATION: ENTRY} (.dockercfg). An entry's auth,
    // when present, replaces its username and password (upstream's DockerConfigEntry.UnmarshalJSON).
    private static List<KeyValuePair<string, RegistryCredential>> ParseConfig(byte[] json, bool auths)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (auths)
            {
                root = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("auths", out var inner) ? inner : default;
            }

            var entries = new List<KeyValuePair<string, RegistryCredential>>();
            if (root.ValueKind != JsonValueKind.Object)
            {
                return root.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? entries : throw new FormatException("a docker config must be a JSON object");
            }

            foreach (var location in root.EnumerateObject())
            {
                if (location.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException($"the docker config entry of \"{location.Name}\" must be a JSON object");
                }

                var username = Text(location.Value, "username");
                var password = Text(location.Value, "password");
                if (Text(location.Value, "auth") is { Length: > 0 } auth)
                {
                    (username, password) = DecodeAuth(auth);
                }

                entries.Add(new(location.Name, new RegistryCredential(username, password, Text(location.Value, "email"))));
            }

            return entries;
        }
        catch (JsonException e)
        {
            throw new FormatException("a docker config is not valid JSON: " + e.Message, e);
        }
    }

    private static string Text(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : string.Empty;

    // host[:port] and /path of a location without a scheme; the query and fragment are dropped (as url.Parse does).
    private static (string Host, string Path) SplitLocation(string location)
    {
        var end = location.IndexOfAny(['?', '#']);
        if (end >= 0)
        {
            location = location[..end];
        }

        var slash = location.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (location, string.Empty) : (location[..slash], location[slash..]);
    }

    // The host's labels and its port (empty when none), as net.SplitHostPort and strings.Split(host, ".").
    private static (string[] Labels, string Port) SplitHost(string host)
    {
        var colon = host.LastIndexOf(':');
        if (colon >= 0 && host.IndexOf(':', StringComparison.Ordinal) == colon)
        {
            return (host[..colon].Split('.'), host[(colon + 1)..]);
        }

        return (host.Split('.'), string.Empty);
    }

    // Go's filepath.Match for one host label: * (any run), ? (one character), [class] with ranges and ^ negation, \ escapes.
    // A malformed pattern matches nothing (upstream treats the error as no match).
    private static bool GlobMatch(string pattern, string text)
    {
        if (!pattern.AsSpan().ContainsAny('*', '?', '[') && !pattern.Contains('\\', StringComparison.Ordinal))
        {
            return pattern == text;
        }

        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '\\':
                    if (++i >= pattern.Length)
                    {
                        return false;
                    }

                    regex.Append(Regex.Escape(pattern[i].ToString()));
                    break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close < 0 || close == i + 1 || (pattern[i + 1] == '^' && close == i + 2))
                    {
                        return false;
                    }

                    var negate = pattern[i + 1] == '^';
                    var body = pattern[(i + (negate ? 2 : 1))..close];
                    regex.Append(negate ? "[^" : "[");
                    foreach (var b in body)
                    {
                        regex.Append(b is '-' ? "-" : Regex.Escape(b.ToString()));
                    }

                    regex.Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        try
        {
            return Regex.IsMatch(text, regex.Append('$').ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
