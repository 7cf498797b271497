using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cetus.ApiServer.Security;

/// <summary>
/// Signs and reads service-account tokens: JWTs (RS256) issued by the TokenRequest API, as kube-apiserver's
/// <c>--service-account-signing-key-file</c> / <c>--service-account-issuer</c> make them. The key lives in
/// <c>{dataDir}/tls/service-account.key</c> (0600), made on first start and kept. Reading checks the signature, the
/// issuer and the lifetime (with go-jose's one-minute leeway); whether the service account and the bound object still
/// exist is the authenticator's business.
/// </summary>
public sealed class ServiceAccountTokens
{
    /// <summary>The issuer kubeadm and k3s use by default; it is also the API server's own audience.</summary>
    public const string DefaultIssuer = "https://kubernetes.default.svc.cluster.local";

    /// <summary>The clock skew tolerated on <c>nbf</c> and <c>exp</c>, as go-jose's DefaultLeeway.</summary>
    public static readonly TimeSpan Leeway = TimeSpan.FromMinutes(1);

    private const string KeyFile = "service-account.key";
    private readonly RsaSecurityKey _key;
    private readonly SigningCredentials _signing;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly TokenValidationParameters _validation;

    private ServiceAccountTokens(RSA rsa, string issuer, TimeProvider time)
    {
        Issuer = issuer;
        Time = time;
        var publicKey = rsa.ExportSubjectPublicKeyInfo();
        // Kubernetes' key id: the unpadded base64url SHA-256 of the DER public key.
        KeyId = Base64UrlEncoder.Encode(SHA256.HashData(publicKey));
        _key = new RsaSecurityKey(rsa) { KeyId = KeyId };
        _signing = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256);
        _validation = new TokenValidationParameters
        {
            ValidIssuer = issuer,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
        };
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        Jwks = JsonSerializer.SerializeToUtf8Bytes(new
        {
            keys = new[]
            {
                new { use = "sig", kty = "RSA", kid = KeyId, alg = "RS256", n = Base64UrlEncoder.Encode(parameters.Modulus), e = Base64UrlEncoder.Encode(parameters.Exponent) },
            },
        });
    }

    /// <summary>The <c>iss</c> of every token; also the audience the API server accepts.</summary>
    public string Issuer { get; }

    /// <summary>The key id (<c>kid</c>) in every token's header.</summary>
    public string KeyId { get; }

    /// <summary>The audiences the API server itself accepts (kube-apiserver's <c>--api-audiences</c> default: the issuer).</summary>
    public IReadOnlyList<string> ApiAudiences => [Issuer];

    /// <summary>The public key as a JSON Web Key Set, served at <c>/openid/v1/jwks</c>.</summary>
    public byte[] Jwks { get; }

    /// <summary>The clock tokens are issued and checked against.</summary>
    public TimeProvider Time { get; }

    /// <summary>Loads the signing key from <c>{dataDir}/tls/service-account.key</c>, creating it (RSA 2048) on first start.</summary>
    public static ServiceAccountTokens LoadOrCreate(string dataDir, string issuer = DefaultIssuer, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        var directory = Path.Combine(dataDir, "tls");
        SecureFile.EnsurePrivateDirectory(directory);
        var path = Path.Combine(directory, KeyFile);
        var rsa = RSA.Create();
        if (File.Exists(path))
        {
            try
            {
                rsa.ImportFromPem(File.ReadAllText(path));
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                rsa.Dispose();
                throw new InvalidOperationException($"{path} does not hold a PEM RSA private key ({e.Message}); remove it to have a new one made (tokens signed with the old key stop working)", e);
            }
        }
        else
        {
            rsa.KeySize = 2048;
            SecureFile.Write(path, rsa.ExportPkcs8PrivateKeyPem() + "\n");
        }

        return new ServiceAccountTokens(rsa, issuer, time ?? TimeProvider.System);
    }

    /// <summary>A signer with a fresh key that is kept nowhere: for servers without a data directory (tests).</summary>
    public static ServiceAccountTokens Ephemeral(string issuer = DefaultIssuer, TimeProvider? time = null) =>
        new(RSA.Create(2048), issuer, time ?? TimeProvider.System);

    /// <summary>Signs a token carrying <paramref name="claims"/>; returns it with its expiry.</summary>
    public (string Token, DateTimeOffset Expires) Issue(ServiceAccountClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var now = Time.GetUtcNow();
        var expires = now + claims.Lifetime;
        var kubernetes = new Dictionary<string, object>
        {
            ["namespace"] = claims.Namespace,
            ["serviceaccount"] = Ref(claims.ServiceAccount),
        };
        if (claims.Pod is { } pod)
        {
            kubernetes["pod"] = Ref(pod);
        }

        if (claims.Secret is { } secret)
        {
            kubernetes["secret"] = Ref(secret);
        }

        if (claims.Node is { } node)
        {
            kubernetes["node"] = Ref(node);
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = _signing,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = ServiceAccountClaims.UserName(claims.Namespace, claims.ServiceAccount.Name),
                [JwtRegisteredClaimNames.Aud] = claims.Audiences.ToArray(),
                [JwtRegisteredClaimNames.Jti] = claims.Id,
                ["kubernetes.io"] = kubernetes,
            },
        };
        return (_handler.CreateToken(descriptor), expires);
    }

    /// <summary>
    /// Reads a token this server signed: null with a reason when it is not ours, is malformed, has a bad signature, or
    /// is outside its lifetime.
    /// </summary>
    public async Task<(ServiceAccountClaims? Claims, string? Error)> ReadAsync(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!LooksLikeJwt(token))
        {
            return (null, "not a JWT");
        }

        var result = await _handler.ValidateTokenAsync(token, _validation).ConfigureAwait(false);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return (null, "invalid bearer token");
        }

        ServiceAccountClaims claims;
        long? notBefore, expires;
        try
        {
            using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
            var root = payload.RootElement;
            notBefore = Seconds(root, "nbf");
            expires = Seconds(root, "exp");
            var kubernetes = root.GetProperty("kubernetes.io");
            claims = new ServiceAccountClaims
            {
                Namespace = kubernetes.GetProperty("namespace").GetString() ?? string.Empty,
                ServiceAccount = ReadRef(kubernetes, "serviceaccount") ?? throw new FormatException("no service account"),
                Pod = ReadRef(kubernetes, "pod"),
                Secret = ReadRef(kubernetes, "secret"),
                Node = ReadRef(kubernetes, "node"),
                Audiences = ReadAudiences(root),
                Id = root.TryGetProperty("jti", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : string.Empty,
                Lifetime = TimeSpan.Zero,
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or FormatException or InvalidOperationException or ArgumentException)
        {
            return (null, "service account token claims could not be validated");
        }

        var now = Time.GetUtcNow().ToUnixTimeSeconds();
        if (expires is { } exp && now > exp + (long)Leeway.TotalSeconds)
        {
            return (null, "service account token has expired");
        }

        if (notBefore is { } nbf && now < nbf - (long)Leeway.TotalSeconds)
        {
            return (null, "service account token is not valid yet");
        }

        return (claims, null);
    }

    private static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2 && token.StartsWith("eyJ", StringComparison.Ordinal);

    private static Dictionary<string, object> Ref(ObjectRef reference) => new() { ["name"] = reference.Name, ["uid"] = reference.Uid };

    private static ObjectRef? ReadRef(JsonElement kubernetes, string name) =>
        kubernetes.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? new ObjectRef(value.GetProperty("name").GetString() ?? string.Empty, value.TryGetProperty("uid", out var uid) ? uid.GetString() ?? string.Empty : string.Empty)
            : null;

    private static long? Seconds(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    private static IReadOnlyList<string> ReadAudiences(JsonElement root)
    {
        if (!root.TryGetProperty("aud", out var aud))
        {
            return [];
        }

        return aud.ValueKind switch
        {
            JsonValueKind.String => [aud.GetString()!],
            JsonValueKind.Array => aud.EnumerateArray().Select(a => a.GetString() ?? string.Empty).ToList(),
            _ => [],
        };
    }
}

/// <summary>A name and uid, as a token's <c>kubernetes.io</c> claim names the service account and bound objects.</summary>
public sealed record ObjectRef(string Name, string Uid);

/// <summary>What a service-account token says: whose it is, what it is bound to, for whom and for how long.</summary>
public sealed record ServiceAccountClaims
{
    /// <summary>The namespace of the service account (and of a bound pod or secret).</summary>
    public required string Namespace { get; init; }

    /// <summary>The service account.</summary>
    public required ObjectRef ServiceAccount { get; init; }

    /// <summary>The pod the token is bound to, if any: the token dies with it.</summary>
    public ObjectRef? Pod { get; init; }

    /// <summary>The secret the token is bound to, if any.</summary>
    public ObjectRef? Secret { get; init; }

    /// <summary>The node the token is bound to (or the bound pod's node), if any.</summary>
    public ObjectRef? Node { get; init; }

    /// <summary>The audiences (<c>aud</c>).</summary>
    public required IReadOnlyList<string> Audiences { get; init; }

    /// <summary>The token's id (<c>jti</c>), reported as the credential id.</summary>
    public required string Id { get; init; }

    /// <summary>How long a token issued with these claims lives (unused when reading).</summary>
    public required TimeSpan Lifetime { get; init; }

    /// <summary>The user name of a service account: <c>system:serviceaccount:NAMESPACE:NAME</c>.</summary>
    public static string UserName(string ns, string name) => $"system:serviceaccount:{ns}:{name}";
}
