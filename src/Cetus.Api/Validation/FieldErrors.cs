using Cetus.Api.Scheme;

namespace Cetus.Api.Validation;

/// <summary>
/// Builds <see cref="FieldError"/>s worded as apimachinery's <c>field.Required</c>, <c>field.Invalid</c>… do:
/// <c>{path}: {Type}[: {value}][: {detail}]</c>.
/// </summary>
public static class FieldErrors
{
    /// <summary>The detail of an update that changes an immutable field.</summary>
    public const string ImmutableDetail = "field is immutable";

    /// <summary>The detail of a negative value where zero or more is required.</summary>
    public const string NegativeDetail = "must be greater than or equal to 0";

    /// <summary><c>{path}: Required value[: {detail}]</c>.</summary>
    public static FieldError Required(FieldPath path, string detail = "") =>
        Make(FieldErrorType.FieldValueRequired, path, "Required value", detail);

    /// <summary><c>{path}: Invalid value: {value}: {detail}</c>.</summary>
    public static FieldError Invalid(FieldPath path, object? value, string detail) =>
        Make(FieldErrorType.FieldValueInvalid, path, "Invalid value: " + GoText.Value(value), detail);

    /// <summary><c>{path}: Unsupported value: {value}: supported values: "a", "b"</c>.</summary>
    public static FieldError NotSupported(FieldPath path, object? value, IEnumerable<string> supported)
    {
        var quoted = string.Join(", ", supported.Select(GoText.Quote));
        return Make(FieldErrorType.FieldValueNotSupported, path, "Unsupported value: " + GoText.Value(value), quoted.Length == 0 ? "" : "supported values: " + quoted);
    }

    /// <summary><c>{path}: Duplicate value: {value}[: {detail}]</c>.</summary>
    public static FieldError Duplicate(FieldPath path, object? value, string detail = "") =>
        Make(FieldErrorType.FieldValueDuplicate, path, "Duplicate value: " + GoText.Value(value), detail);

    /// <summary><c>{path}: Not found: {value}</c>.</summary>
    public static FieldError NotFound(FieldPath path, object? value) =>
        Make(FieldErrorType.FieldValueNotFound, path, "Not found: " + GoText.Value(value), "");

    /// <summary><c>{path}: Forbidden: {detail}</c>.</summary>
    public static FieldError Forbidden(FieldPath path, string detail) =>
        Make(FieldErrorType.FieldValueForbidden, path, "Forbidden", detail);

    /// <summary><c>{path}: Too long: may not be more than {max} bytes</c>, as 1.32 words it (the value is never shown).</summary>
    public static FieldError TooLong(FieldPath path, int maxBytes) =>
        Make(FieldErrorType.FieldValueTooLong, path, "Too long", $"may not be more than {maxBytes} {(maxBytes == 1 ? "byte" : "bytes")}");

    /// <summary><c>{path}: Too many: {actual}: must have at most {max} items</c>.</summary>
    public static FieldError TooMany(FieldPath path, int actual, int max) =>
        Make(FieldErrorType.FieldValueTooMany, path, "Too many: " + GoText.Value(actual), $"must have at most {max} items");

    /// <summary><c>{path}: Invalid value: {value}: field is immutable</c>.</summary>
    public static FieldError Immutable(FieldPath path, object? value) => Invalid(path, value, ImmutableDetail);

    /// <summary><c>{path}: Invalid value: {value}: must be greater than or equal to 0</c> when the value is negative.</summary>
    public static IEnumerable<FieldError> NonNegative(long? value, FieldPath path)
    {
        if (value < 0)
        {
            yield return Invalid(path, value.Value, NegativeDetail);
        }
    }

    /// <summary>
    /// The message without the leading <c>{path}: </c>: what Kubernetes puts in a StatusCause's message
    /// (the Status message and <see cref="FieldError.Message"/> keep the path).
    /// </summary>
    public static string Body(FieldError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var prefix = error.Field + ": ";
        return error.Message.StartsWith(prefix, StringComparison.Ordinal) ? error.Message[prefix.Length..] : error.Message;
    }

    private static FieldError Make(FieldErrorType type, FieldPath path, string head, string detail)
    {
        var field = path.ToString();
        var body = detail.Length == 0 ? head : head + ": " + detail;
        return new FieldError(type, field, field + ": " + body);
    }
}
