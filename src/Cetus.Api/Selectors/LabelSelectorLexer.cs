namespace Cetus.Api.Selectors;

/// <summary>The tokens of the label selector syntax.</summary>
internal enum LabelToken
{
    Error,
    EndOfString,
    ClosedParenthesis,
    Comma,
    DoesNotExist,
    DoubleEqual,
    Equal,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEqual,
    NotIn,
    OpenParenthesis,
}

/// <summary>A token and the text it was read from.</summary>
internal readonly record struct ScannedToken(LabelToken Token, string Literal);

/// <summary>
/// Splits a label selector into tokens as labels.Lexer does: whitespace separates, the operator characters
/// <c>= ! ( ) , &gt; &lt;</c> end an identifier, and the longest run of them that is an operator wins.
/// </summary>
internal sealed class LabelSelectorLexer(string text)
{
    private static readonly Dictionary<string, LabelToken> Keywords = new(StringComparer.Ordinal)
    {
        [")"] = LabelToken.ClosedParenthesis,
        [","] = LabelToken.Comma,
        ["!"] = LabelToken.DoesNotExist,
        ["=="] = LabelToken.DoubleEqual,
        ["="] = LabelToken.Equal,
        [">"] = LabelToken.GreaterThan,
        ["in"] = LabelToken.In,
        ["<"] = LabelToken.LessThan,
        ["!="] = LabelToken.NotEqual,
        ["notin"] = LabelToken.NotIn,
        ["("] = LabelToken.OpenParenthesis,
    };

    private int _position;

    public List<ScannedToken> ScanAll()
    {
        var tokens = new List<ScannedToken>();
        while (true)
        {
            var token = Next();
            tokens.Add(token);
            if (token.Token == LabelToken.EndOfString)
            {
                return tokens;
            }
        }
    }

    private ScannedToken Next()
    {
        var ch = Read();
        while (IsWhitespace(ch))
        {
            ch = Read();
        }

        if (ch == '\0')
        {
            return new(LabelToken.EndOfString, string.Empty);
        }

        _position--;
        return IsOperatorCharacter(ch) ? ScanOperator() : ScanIdentifierOrKeyword();
    }

    private ScannedToken ScanIdentifierOrKeyword()
    {
        var start = _position;
        var end = start;
        while (true)
        {
            var ch = Read();
            if (ch == '\0')
            {
                break;
            }

            if (IsOperatorCharacter(ch) || IsWhitespace(ch))
            {
                _position--;
                break;
            }

            end = _position;
        }

        var literal = text[start..end];
        return new(Keywords.TryGetValue(literal, out var keyword) ? keyword : LabelToken.Identifier, literal);
    }

    private ScannedToken ScanOperator()
    {
        var start = _position;
        ScannedToken? last = null;
        while (true)
        {
            var ch = Read();
            if (ch == '\0')
            {
                break;
            }

            if (!IsOperatorCharacter(ch))
            {
                _position--;
                break;
            }

            var buffer = text[start.._position];
            if (Keywords.TryGetValue(buffer, out var token))
            {
                last = new(token, buffer);
            }
            else if (last is not null)
            {
                _position--;
                break;
            }
        }

        return last ?? new(LabelToken.Error, $"error expected: keyword found '{text[start.._position]}'");
    }

    // Like upstream, a NUL character reads as the end of the input.
    private char Read() => _position < text.Length ? text[_position++] : '\0';

    private static bool IsWhitespace(char ch) => ch is ' ' or '\t' or '\r' or '\n';

    private static bool IsOperatorCharacter(char ch) => ch is '=' or '!' or '(' or ')' or ',' or '>' or '<';
}
