namespace Cetus.Api.Validation;

/// <summary>
/// Environment variable names. Kubernetes 1.32 enables RelaxedEnvironmentVariableValidation by default: any printable
/// ASCII character but '=' is allowed.
/// </summary>
internal static class EnvVarNames
{
    private const string Message = "a valid environment variable name must consist only of printable ASCII characters other than '='";

    /// <summary>What is wrong with <paramref name="value"/> as an environment variable name (empty when nothing).</summary>
    public static IReadOnlyList<string> Check(string value)
    {
        var errors = new List<string>();
        if (value.Length == 0)
        {
            errors.Add("environment variable name " + ValidationText.Empty());
        }

        if (value.Any(c => c < 0x20 || c > 0x7e || c == '='))
        {
            errors.Add(Message);
        }

        return errors;
    }
}
