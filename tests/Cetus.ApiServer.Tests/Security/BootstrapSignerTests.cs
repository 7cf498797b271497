using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Cetus.Api.Bootstrap;
using Cetus.ApiServer.Security;
using k8s.Models;
using Xunit;

namespace Cetus.ApiServer.Tests.Security;

/// <summary>cluster-info's signatures (the bootstrap signer) and the CA pin of token discovery.</summary>
public sealed class BootstrapSignerTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Signatures_CoverEachSigningTokenThatHasNotExpired()
    {
        const string Content = "apiVersion: v1\nkind: Config\n";
        var valid = BootstrapTokens.ToSecret("abcdef", "0123456789abcdef", Now.AddHours(1), null, []);
        var expired = BootstrapTokens.ToSecret("expire", "0123456789abcdef", Now.AddHours(-1), null, []);
        var notForSigning = BootstrapTokens.ToSecret("nosign", "0123456789abcdef", null, null, []);
        notForSigning.Data.Remove(BootstrapTokens.UsageSigningKey);
        var misnamed = BootstrapTokens.ToSecret("misnam", "0123456789abcdef", null, null, []);
        misnamed.Metadata.Name = "bootstrap-token-other1";
        var otherType = BootstrapTokens.ToSecret("opaque", "0123456789abcdef", null, null, []);
        otherType.Type = "Opaque";

        var signatures = BootstrapSigner.Signatures(Content, [valid, expired, notForSigning, misnamed, otherType], Now);

        var (key, signature) = Assert.Single(signatures);
        Assert.Equal("jws-kubeconfig-abcdef", key);
        Assert.True(ClusterInfo.Verify(Content, signature, "abcdef", "0123456789abcdef"));
    }

    [Fact]
    public void Jws_IsDetachedHs256_AndVerifiesOnlyWithItsTokenAndContent()
    {
        var jws = ClusterInfo.Sign("content", "abcdef", "0123456789abcdef");

        var parts = jws.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.Empty(parts[1]);
        Assert.Equal("{\"alg\":\"HS256\",\"kid\":\"abcdef\"}", System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(parts[0].PadRight((parts[0].Length + 3) / 4 * 4, '='))));
        Assert.True(ClusterInfo.Verify("content", jws, "abcdef", "0123456789abcdef"));
        Assert.False(ClusterInfo.Verify("content2", jws, "abcdef", "0123456789abcdef"));
        Assert.False(ClusterInfo.Verify("content", jws, "abcdef", "0123456789abcdeX"));
        Assert.False(ClusterInfo.Verify("content", jws[..^2] + "AA", "abcdef", "0123456789abcdef"));
    }

    [Fact]
    public void CaCertHash_IsTheSha256OfTheSubjectPublicKeyInfo()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = new CertificateRequest("CN=ca", key, HashAlgorithmName.SHA256).CreateSelfSigned(Now, Now.AddDays(1));

        var hash = ClusterInfo.CaCertHash(ca);

        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo())), hash);
    }
}
