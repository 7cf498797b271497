using System.Text;
using Cetus.Kubelet.Images;
using k8s.Models;
using Xunit;

namespace Cetus.Kubelet.Tests.Images;

/// <summary>The keyring of pull secrets, on upstream's cases (pkg/credentialprovider keyring_test.go, secrets_test.go).</summary>
public sealed class DockerKeyringTests
{
    [Theory]
    [InlineData("*.kubernetes.io", "prefix.kubernetes.io", true)]
    [InlineData("prefix.*.io", "prefix.kubernetes.io", true)]
    [InlineData("prefix.kubernetes.*", "prefix.kubernetes.io", true)]
    [InlineData("*-good.kubernetes.io", "prefix-good.kubernetes.io", true)]
    [InlineData("*.*.io", "prefix.kubernetes.io", true)]
    [InlineData("*.*.*", "prefix.kubernetes.io", true)]
    [InlineData("pre?ix.kubernetes.io", "prefix.kubernetes.io", false)] // as url.Parse: "?" starts a query
    [InlineData("pre[a-f]ix.kubernetes.io", "prefix.kubernetes.io", true)]
    [InlineData("pre[^a-f]ix.kubernetes.io", "prefix.kubernetes.io", false)]
    [InlineData("prefix.kubernetes.io/foo", "prefix.kubernetes.io/foo/bar", true)]
    [InlineData("prefix.kubernetes.io:8080", "prefix.kubernetes.io:8080/foo", true)]
    [InlineData("*.kubernetes.io", "kubernetes.io", false)]
    [InlineData("*.kubernetes.io", "prefix.docker.io", false)]
    [InlineData("*.kubernetes.io", "a.prefix.kubernetes.io", false)]
    [InlineData("*.*.io", "prefix.kubernetes.com", false)]
    [InlineData("prefix.kubernetes.io", "prefix.kubernetes.io:8080", false)]
    [InlineData("prefix.kubernetes.io:8080", "prefix.kubernetes.io:9090", false)]
    [InlineData("prefix.kubernetes.io/foo", "prefix.kubernetes.io/bar", false)]
    [InlineData("prefix.kubernetes.io/foo/bar", "prefix.kubernetes.io/foo", false)]
    [InlineData("[.kubernetes.io", "x.kubernetes.io", false)]
    public void UrlsMatch_AsUpstream(string glob, string target, bool matches) =>
        Assert.Equal(matches, DockerKeyring.UrlsMatch(glob, target));

    [Theory]
    [InlineData("foo/bar", true)]
    [InlineData("docker.io/foo/bar", true)]
    [InlineData("index.docker.io/foo/bar", true)]
    [InlineData("foo", true)]
    [InlineData("", false)]
    [InlineData("registry.tld/foo/bar", false)]
    [InlineData("localhost:5000/foo/bar", false)]
    [InlineData("registry.tld:5000/foo", false)]
    public void IsDefaultRegistryMatch_AsUpstream(string image, bool matches) =>
        Assert.Equal(matches, DockerKeyring.IsDefaultRegistryMatch(image));

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox")]
    [InlineData("busybox:1.36", "docker.io/library/busybox")]
    [InlineData("me/app:latest", "docker.io/me/app")]
    [InlineData("index.docker.io/me/app", "docker.io/me/app")]
    [InlineData("docker.io/library/nginx@sha256:0123", "docker.io/library/nginx")]
    [InlineData("quay.io/coreos/etcd:v3", "quay.io/coreos/etcd")]
    [InlineData("localhost/app", "localhost/app")]
    [InlineData("registry.example:5000/team/app:1", "registry.example:5000/team/app")]
    [InlineData("registry.example:5000/app", "registry.example:5000/app")]
    public void RepositoryToPull_NormalizesAsDocker(string image, string repository) =>
        Assert.Equal(repository, DockerKeyring.RepositoryToPull(image));

    [Theory]
    [InlineData("https://*.docker.io", "world.docker.io/foo/bar", true)]
    [InlineData("https://*.docker.io", "hello.world.docker.io/foo", false)]
    [InlineData("http://hello.docker.io:9000/v1/", "hello.docker.io:9000/foo", true)]
    [InlineData("https://*.docker.io/v2/", "world.docker.io/foo", true)]
    [InlineData("hello.docker.io/v2/team", "hello.docker.io/team/app", true)]
    [InlineData("hello.docker.io/v2/team", "hello.docker.io/other/app", false)]
    [InlineData("https://index.docker.io/v1/", "another.docker.io/foo", false)]
    [InlineData("https://index.docker.io/v1/", "docker.io/google/docker-registry", true)]
    [InlineData("https://index.docker.io/v1/", "google/docker-registry", true)]
    [InlineData("index.docker.io", "quay.io/foo", false)]
    [InlineData("docker.io", "docker.io/library/busybox", true)]
    [InlineData("quay.io", "quay.io:443/foo", false)]
    public void Lookup_MatchesLocations(string location, string repository, bool found)
    {
        var keyring = new DockerKeyring();
        keyring.Add([new(location, new RegistryCredential("user", "pass", string.Empty))]);
        Assert.Equal(found, keyring.Lookup(repository).Count == 1);
    }

    [Fact]
    public void Lookup_GivesTheMostSpecificLocationFirst_AndEveryMatch()
    {
        var keyring = new DockerKeyring();
        keyring.Add([new("quay.io", new RegistryCredential("host", "p", string.Empty)), new("quay.io/coreos", new RegistryCredential("path", "p", string.Empty))]);
        keyring.Add([new("https://quay.io", new RegistryCredential("host2", "p", string.Empty))]);
        Assert.Equal(["path", "host", "host2"], keyring.Lookup("quay.io/coreos/etcd").Select(c => c.Username));
        Assert.Equal(["host", "host2"], keyring.Lookup("quay.io/other/etcd").Select(c => c.Username));
    }

    [Fact]
    public void DefaultRegistryCredentials_AreUsedOnlyWhenNothingElseMatches()
    {
        var keyring = new DockerKeyring();
        keyring.Add([new("https://index.docker.io/v1/", new RegistryCredential("hub", "p", string.Empty)), new("docker.io/team", new RegistryCredential("team", "p", string.Empty))]);
        Assert.Equal(["team"], keyring.Lookup("docker.io/team/app").Select(c => c.Username));
        Assert.Equal(["hub"], keyring.Lookup("docker.io/library/busybox").Select(c => c.Username));
        Assert.Empty(keyring.Lookup("registry.example/app"));
    }

    [Fact]
    public void FromSecrets_ReadsDockerConfigJsonAndDockerCfg_TheAuthFieldWinning_OtherTypesIgnored()
    {
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:s3cret:with-colon"));
        var keyring = DockerKeyring.FromSecrets(
        [
            Secret(DockerKeyring.DockerConfigJsonType, ".dockerconfigjson", "{\"auths\":{\"registry.example\":{\"username\":\"ignored\",\"password\":\"x\",\"auth\":\"" + auth + "\",\"email\":\"a@example.com\"}}}"),
            Secret(DockerKeyring.DockerCfgType, ".dockercfg", """{"https://registry.example/v1/":{"username":"bob","password":"pw"}}"""),
            Secret("Opaque", ".dockerconfigjson", """{"auths":{"registry.example":{"username":"opaque","password":"pw"}}}"""),
            Secret(DockerKeyring.DockerConfigJsonType, ".dockercfg", """{"registry.example":{"username":"wrong-key","password":"pw"}}"""),
        ]);
        Assert.Equal(
            [new RegistryCredential("alice", "s3cret:with-colon", "a@example.com"), new RegistryCredential("bob", "pw", string.Empty)],
            keyring.Lookup("registry.example/app"));
    }

    [Theory]
    [InlineData("""{"auths":""")]
    [InlineData("""{"auths":{"registry.example":"text"}}""")]
    [InlineData("""{"auths":{"registry.example":{"auth":"not base64!"}}}""")]
    [InlineData("""{"auths":{"registry.example":{"auth":"bm9jb2xvbg=="}}}""")]
    public void FromSecrets_RefusesAConfigItCannotParse(string json) =>
        Assert.Throws<FormatException>(() => DockerKeyring.FromSecrets([Secret(DockerKeyring.DockerConfigJsonType, ".dockerconfigjson", json)]));

    private static V1Secret Secret(string type, string key, string json) => new()
    {
        Metadata = new V1ObjectMeta { Name = "s", NamespaceProperty = "default" },
        Type = type,
        Data = new Dictionary<string, byte[]> { [key] = Encoding.UTF8.GetBytes(json) },
    };
}
