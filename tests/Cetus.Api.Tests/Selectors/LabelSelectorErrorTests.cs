using Cetus.Api.Selectors;
using Xunit;

namespace Cetus.Api.Tests.Selectors;

public sealed class LabelSelectorErrorTests
{
    private const string NameRule = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    private const string ValueRule = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    public static TheoryData<string, string> Errors => new()
    {
        { "a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt" },
        { "a=b c", "found 'c', expected: ',' or 'end of string'" },
        { "a=b,", "found '', expected: identifier after ','" },
        { "a=b,,c", "found ',', expected: identifier after ','" },
        { "=b", "found '=', expected: !, identifier, or 'end of string'" },
        { "!", "unable to parse requirement: found '', expected: identifier" },
        { "a in b", "unable to parse requirement: found 'b' expected: '('" },
        { "a in (b", "unable to parse requirement: found '', expected: ',' or ')'" },
        { "a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'" },
        { "a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier" },
        { "a==(", "unable to parse requirement: found '(', expected: identifier" },
        { "a/b/c=d", "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a qualified name " + NameRule + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')" },
        { "-a=b", "unable to parse requirement: <nil>: Invalid value: \"-a\": name part " + NameRule },
        { "/a", "unable to parse requirement: <nil>: Invalid value: \"/a\": prefix part must be non-empty" },
        { "Example.com/a", "unable to parse requirement: <nil>: Invalid value: \"Example.com/a\": prefix part a DNS-1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" },
        { "example.com/", "unable to parse requirement: <nil>: Invalid value: \"example.com/\": name part must be non-empty; name part " + NameRule },
        { new string('k', 64), "unable to parse requirement: <nil>: Invalid value: \"" + new string('k', 64) + "\": name part must be no more than 63 characters" },
        { "a=b$", "unable to parse requirement: values[0][a]: Invalid value: \"b$\": " + ValueRule },
        { "a in (ok,-x,y-)", "unable to parse requirement: [values[0][a]: Invalid value: \"-x\": " + ValueRule + ", values[2][a]: Invalid value: \"y-\": " + ValueRule + "]" },
        { "a=" + new string('v', 64), "unable to parse requirement: values[0][a]: Invalid value: \"" + new string('v', 64) + "\": must be no more than 63 characters" },
        { "a>x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Parse_InvalidSelector_ThrowsWithKubernetesMessage(string selector, string message)
    {
        var error = Assert.Throws<SelectorException>(() => LabelSelector.Parse(selector));

        Assert.Equal(message, error.Message);
    }
}
