using Cetus.Api.Validation;
using Xunit;

namespace Cetus.Api.Tests.Validation;

public sealed class NameFormatTests
{
    private const string LabelRule = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    private const string SubdomainRule = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private const string Dns1035Rule = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    private const string NameRule = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    [Theory]
    [InlineData("web")]
    [InlineData("a")]
    [InlineData("123-abc")]
    public void Dns1123Label_AcceptsLabels(string value) => Assert.Empty(DnsNames.IsDns1123Label(value));

    [Theory]
    [InlineData("Web", LabelRule)]
    [InlineData("-web", LabelRule)]
    [InlineData("a.b", "must not contain dots")]
    public void Dns1123Label_Rejects(string value, string message) => Assert.Equal([message], DnsNames.IsDns1123Label(value));

    [Fact]
    public void Dns1123Label_ReportsLengthAndFormat()
    {
        Assert.Equal(["must be no more than 63 characters", LabelRule], DnsNames.IsDns1123Label(new string('a', 63) + "-"));
        Assert.Equal(["must be no more than 63 characters"], DnsNames.IsDns1123Label(new string('a', 64)));
    }

    [Theory]
    [InlineData("example.com", true)]
    [InlineData("kube-system", true)]
    [InlineData("Example.com", false)]
    [InlineData("a..b", false)]
    [InlineData("a_b", false)]
    public void Dns1123Subdomain(string value, bool valid) =>
        Assert.Equal(valid ? [] : [SubdomainRule], DnsNames.IsDns1123Subdomain(value));

    [Theory]
    [InlineData("web", true)]
    [InlineData("1web", false)]
    [InlineData("web-", false)]
    public void Dns1035Label(string value, bool valid) => Assert.Equal(valid ? [] : [Dns1035Rule], DnsNames.IsDns1035Label(value));

    [Theory]
    [InlineData("app")]
    [InlineData("app.kubernetes.io/name")]
    [InlineData("Example_Key.1")]
    public void QualifiedName_Accepts(string value) => Assert.Empty(QualifiedNames.IsQualifiedName(value));

    [Theory]
    [InlineData("-app", "name part " + NameRule)]
    [InlineData("/app", "prefix part must be non-empty")]
    [InlineData("example.com/", "name part must be non-empty")]
    [InlineData("a/b/c", "a qualified name " + NameRule + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")]
    [InlineData("Example.com/app", "prefix part " + SubdomainRule)]
    public void QualifiedName_Rejects(string value, string message) => Assert.Contains(message, QualifiedNames.IsQualifiedName(value));

    [Fact]
    public void QualifiedName_LimitsTheNamePart()
    {
        Assert.Equal(["name part must be no more than 63 characters"], QualifiedNames.IsQualifiedName("example.com/" + new string('a', 64)));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("v1.2_beta", true)]
    [InlineData("-x", false)]
    [InlineData("a b", false)]
    public void LabelValue(string value, bool valid) => Assert.Equal(valid, QualifiedNames.IsLabelValue(value).Count == 0);

    [Fact]
    public void LabelValue_LimitsLength()
    {
        Assert.Equal(["must be no more than 63 characters"], QualifiedNames.IsLabelValue(new string('v', 64)));
    }

    [Theory]
    [InlineData("web-", true)]
    [InlineData("web-", false)]
    public void GenerateName_MayEndWithADash(string value, bool prefix) =>
        Assert.Equal(prefix, NameValidators.DnsSubdomain(value, prefix).Count == 0);
}
