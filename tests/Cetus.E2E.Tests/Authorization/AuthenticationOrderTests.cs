using Cetus.ApiServer.Security;
using Cetus.Testing;
using Xunit;

namespace Cetus.E2E.Tests.Authorization;

/// <summary>
/// Which credentials win when a request carries several, as kube-apiserver's union of authenticators decides: the
/// client certificate first, then bearer tokens; credentials that every authenticator refuses are a 401.
/// </summary>
public sealed class AuthenticationOrderTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    [Fact]
    public async Task ValidClientCertificate_WinsOverABadBearerToken()
    {
        var plain = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");
        Assert.True(plain.ExitCode == 0, plain.ToString());

        var withToken = await Kubectl.RunAsync(fixture.Server.Kubeconfig, "--token", "not-a-known-token", "auth", "whoami", "-o", "jsonpath={.status.userInfo.username}");

        Assert.True(withToken.ExitCode == 0, withToken.ToString());
        Assert.Equal(plain.Stdout, withToken.Stdout);
    }

    [Fact]
    public async Task BadBearerToken_Alone_IsUnauthorized()
    {
        using var dir = new TempDirectory("auth-order");
        var kubeconfig = dir.File("token.kubeconfig");
        Kubeconfig.WriteWithToken(kubeconfig, fixture.Server.Address, File.ReadAllText(Path.Combine(fixture.Server.DataDir, "tls", "ca.crt")), "not-a-known-token", user: "nobody");

        var result = await Kubectl.RunAsync(kubeconfig, "get", "namespaces");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("the server has asked for the client to provide credentials", result.Stderr, StringComparison.Ordinal);
    }
}
