using Cetus.Api.Scheme;
using Cetus.Api.Validation;
using Xunit;

namespace Cetus.Api.Tests.Validation;

public sealed class FieldErrorsTests
{
    private static readonly FieldPath Image = FieldPath.Root("spec").Child("containers").Index(0).Child("image");

    public static TheoryData<string, string, FieldErrorType> Cases => new()
    {
        { "required", "spec.containers[0].image: Required value", FieldErrorType.FieldValueRequired },
        { "required with detail", "spec.containers[0].image: Required value: give one", FieldErrorType.FieldValueRequired },
        { "invalid string", "spec.containers[0].image: Invalid value: \"a\\\"b\": bad", FieldErrorType.FieldValueInvalid },
        { "invalid number", "spec.containers[0].image: Invalid value: -3: bad", FieldErrorType.FieldValueInvalid },
        { "invalid null", "spec.containers[0].image: Invalid value: \"null\": bad", FieldErrorType.FieldValueInvalid },
        { "invalid bool", "spec.containers[0].image: Invalid value: true: bad", FieldErrorType.FieldValueInvalid },
        { "invalid literal", "spec.containers[0].image: Invalid value: []string{\"a\", \"b\"}: bad", FieldErrorType.FieldValueInvalid },
        { "not supported", "spec.containers[0].image: Unsupported value: \"x\": supported values: \"a\", \"b\"", FieldErrorType.FieldValueNotSupported },
        { "duplicate", "spec.containers[0].image: Duplicate value: \"x\"", FieldErrorType.FieldValueDuplicate },
        { "not found", "spec.containers[0].image: Not found: \"x\"", FieldErrorType.FieldValueNotFound },
        { "forbidden", "spec.containers[0].image: Forbidden: not here", FieldErrorType.FieldValueForbidden },
        { "too long", "spec.containers[0].image: Too long: may not be more than 10 bytes", FieldErrorType.FieldValueTooLong },
        { "too many", "spec.containers[0].image: Too many: 3: must have at most 2 items", FieldErrorType.FieldValueTooMany },
        { "immutable", "spec.containers[0].image: Invalid value: \"x\": field is immutable", FieldErrorType.FieldValueInvalid },
    };

    private static readonly Dictionary<string, Func<FieldError>> Build = new()
    {
        ["required"] = () => FieldErrors.Required(Image),
        ["required with detail"] = () => FieldErrors.Required(Image, "give one"),
        ["invalid string"] = () => FieldErrors.Invalid(Image, "a\"b", "bad"),
        ["invalid number"] = () => FieldErrors.Invalid(Image, -3, "bad"),
        ["invalid null"] = () => FieldErrors.Invalid(Image, null, "bad"),
        ["invalid bool"] = () => FieldErrors.Invalid(Image, true, "bad"),
        ["invalid literal"] = () => FieldErrors.Invalid(Image, new GoLiteral("[]string{\"a\", \"b\"}"), "bad"),
        ["not supported"] = () => FieldErrors.NotSupported(Image, "x", ["a", "b"]),
        ["duplicate"] = () => FieldErrors.Duplicate(Image, "x"),
        ["not found"] = () => FieldErrors.NotFound(Image, "x"),
        ["forbidden"] = () => FieldErrors.Forbidden(Image, "not here"),
        ["too long"] = () => FieldErrors.TooLong(Image, 10),
        ["too many"] = () => FieldErrors.TooMany(Image, 3, 2),
        ["immutable"] = () => FieldErrors.Immutable(Image, "x"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Message_IsWordedAsApimachinery(string name, string message, FieldErrorType type)
    {
        var error = Build[name]();

        Assert.Equal(new FieldError(type, "spec.containers[0].image", message), error);
    }

    [Fact]
    public void Body_DropsThePath_AsAStatusCauseMessage()
    {
        Assert.Equal("Required value", FieldErrors.Body(FieldErrors.Required(Image)));
        Assert.Equal("Too long: may not be more than 1 byte", FieldErrors.Body(FieldErrors.TooLong(FieldPath.Root(""), 1)));
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("tab\there", "\"tab\\there\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("bell\u0007", "\"bell\\a\"")]
    [InlineData("nul\u0000", "\"nul\\x00\"")]
    [InlineData("é", "\"é\"")]
    public void Strings_AreQuotedAsGoQuotes(string value, string expected)
    {
        Assert.Equal("x: Invalid value: " + expected + ": y", FieldErrors.Invalid(FieldPath.Root("x"), value, "y").Message);
    }

    [Fact]
    public void NonNegative_ReportsOnlyNegativeValues()
    {
        Assert.Empty(FieldErrors.NonNegative(0, Image));
        Assert.Empty(FieldErrors.NonNegative(null, Image));
        Assert.Equal("spec.containers[0].image: Invalid value: -1: must be greater than or equal to 0", Assert.Single(FieldErrors.NonNegative(-1, Image)).Message);
    }
}
