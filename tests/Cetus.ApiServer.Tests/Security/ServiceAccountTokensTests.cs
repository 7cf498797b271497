using System.Text;
using System.Text.Json;
using Cetus.ApiServer.Security;
using Cetus.Testing;
using Xunit;

namespace Cetus.ApiServer.Tests.Security;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ServiceAccountTokensTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static ServiceAccountClaims Claims(TimeSpan lifetime, params string[] audiences) => new()
    {
        Namespace = "team-a",
        ServiceAccount = new ObjectRef("robot", "sa-uid"),
        Pod = new ObjectRef("web-0", "pod-uid"),
        Audiences = audiences.Length == 0 ? [ServiceAccountTokens.DefaultIssuer] : audiences,
        Id = "token-id",
        Lifetime = lifetime,
    };

    [Fact]
    public async Task IssuedToken_ReadsBackWithItsClaims_AndKubernetesPayloadShape()
    {
        var signer = ServiceAccountTokens.Ephemeral(time: new ManualTime(Start));

        var (token, expires) = signer.Issue(Claims(TimeSpan.FromHours(1), "a", "b"));
        var (claims, error) = await signer.ReadAsync(token);

        Assert.Null(error);
        Assert.Equal(Start.AddHours(1), expires);
        Assert.Equal("team-a", claims!.Namespace);
        Assert.Equal(new ObjectRef("robot", "sa-uid"), claims.ServiceAccount);
        Assert.Equal(new ObjectRef("web-0", "pod-uid"), claims.Pod);
        Assert.Null(claims.Secret);
        Assert.Equal(["a", "b"], claims.Audiences);
        Assert.Equal("token-id", claims.Id);

        var parts = token.Split('.');
        using var header = JsonDocument.Parse(Decode(parts[0]));
        Assert.Equal("RS256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal(signer.KeyId, header.RootElement.GetProperty("kid").GetString());
        using var payload = JsonDocument.Parse(Decode(parts[1]));
        var root = payload.RootElement;
        Assert.Equal("system:serviceaccount:team-a:robot", root.GetProperty("sub").GetString());
        Assert.Equal(ServiceAccountTokens.DefaultIssuer, root.GetProperty("iss").GetString());
        Assert.Equal(Start.ToUnixTimeSeconds(), root.GetProperty("iat").GetInt64());
        Assert.Equal(Start.ToUnixTimeSeconds(), root.GetProperty("nbf").GetInt64());
        Assert.Equal(Start.AddHours(1).ToUnixTimeSeconds(), root.GetProperty("exp").GetInt64());
        Assert.Equal("pod-uid", root.GetProperty("kubernetes.io").GetProperty("pod").GetProperty("uid").GetString());
    }

    [Fact]
    public async Task Token_IsRefused_OnceExpiredBeyondTheLeeway()
    {
        var time = new ManualTime(Start);
        var signer = ServiceAccountTokens.Ephemeral(time: time);
        var (token, _) = signer.Issue(Claims(TimeSpan.FromMinutes(10)));

        time.Now = Start.AddMinutes(10).AddSeconds(59);
        Assert.NotNull((await signer.ReadAsync(token)).Claims);

        time.Now = Start.AddMinutes(11).AddSeconds(1);
        var (claims, error) = await signer.ReadAsync(token);
        Assert.Null(claims);
        Assert.Equal("service account token has expired", error);
    }

    [Fact]
    public async Task Token_IsRefused_BeforeItsNotBefore()
    {
        var time = new ManualTime(Start);
        var signer = ServiceAccountTokens.Ephemeral(time: time);
        var (token, _) = signer.Issue(Claims(TimeSpan.FromHours(1)));

        time.Now = Start.AddMinutes(-2);

        Assert.Equal("service account token is not valid yet", (await signer.ReadAsync(token)).Error);
    }

    [Fact]
    public async Task TokenOfAnotherKey_OrTamperedPayload_OrAnotherIssuer_IsRefused()
    {
        var signer = ServiceAccountTokens.Ephemeral();
        var other = ServiceAccountTokens.Ephemeral();
        var foreignIssuer = ServiceAccountTokens.Ephemeral(issuer: "https://elsewhere.example");
        var (token, _) = signer.Issue(Claims(TimeSpan.FromHours(1)));
        var parts = token.Split('.');
        var forged = Encoding.UTF8.GetString(Decode(parts[1])).Replace("robot", "admin", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(forged)}.{parts[2]}";

        Assert.Null((await other.ReadAsync(token)).Claims);
        Assert.Null((await signer.ReadAsync(tampered)).Claims);
        Assert.Null((await signer.ReadAsync(foreignIssuer.Issue(Claims(TimeSpan.FromHours(1))).Token)).Claims);
        Assert.Null((await signer.ReadAsync("not-a-jwt")).Claims);
        Assert.Null((await signer.ReadAsync("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")).Claims);
    }

    [Fact]
    public async Task Key_IsMadeOnce_KeptOwnerOnly_AndReusedOnTheNextStart()
    {
        using var dir = new TempDirectory("sa-key");

        var first = ServiceAccountTokens.LoadOrCreate(dir.Path);
        var (token, _) = first.Issue(Claims(TimeSpan.FromHours(1)));
        var second = ServiceAccountTokens.LoadOrCreate(dir.Path);

        var key = Path.Combine(dir.Path, "tls", "service-account.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", await File.ReadAllTextAsync(key), StringComparison.Ordinal);
        Assert.Equal(first.KeyId, second.KeyId);
        Assert.NotNull((await second.ReadAsync(token)).Claims);
    }

    [Fact]
    public void Jwks_PublishesThePublicKeyOnly()
    {
        var signer = ServiceAccountTokens.Ephemeral();

        using var jwks = JsonDocument.Parse(signer.Jwks);
        var key = jwks.RootElement.GetProperty("keys")[0];

        Assert.Equal(signer.KeyId, key.GetProperty("kid").GetString());
        Assert.Equal("RSA", key.GetProperty("kty").GetString());
        Assert.False(key.TryGetProperty("d", out _));
    }

    private static byte[] Decode(string part) => Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes(part);
}
