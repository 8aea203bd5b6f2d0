#include "challenge_p.h"

namespace SilentAuth::Internal {

namespace {

bool isTokenChar(char c)
{
    // tchar (RFC 9110 §5.6.2)
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

class Reader
{
public:
    explicit Reader(const QByteArray &text)
        : m_text(text)
    {
    }

    bool atEnd() const { return m_pos >= m_text.size(); }
    char peek() const { return atEnd() ? '\0' : m_text.at(m_pos); }
    qsizetype pos() const { return m_pos; }
    void rewind(qsizetype to) { m_pos = to; }
    void skip() { ++m_pos; }

    void skipSpace()
    {
        while (!atEnd() && (peek() == ' ' || peek() == '\t'))
            ++m_pos;
    }

    QByteArray token()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && isTokenChar(peek()))
            ++m_pos;
        return m_text.mid(start, m_pos - start);
    }

    // token68: token chars of base64 and friends, then any '='s.
    QByteArray token68()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && (isTokenChar(peek()) || peek() == '/'))
            ++m_pos;
        while (!atEnd() && peek() == '=')
            ++m_pos;
        return m_text.mid(start, m_pos - start);
    }

    QByteArray quoted()
    {
        QByteArray value;
        skip(); // the opening quote
        while (!atEnd() && peek() != '"') {
            if (peek() == '\\')
                skip();
            if (!atEnd()) {
                value += peek();
                skip();
            }
        }
        if (!atEnd())
            skip(); // the closing quote
        return value;
    }

private:
    const QByteArray &m_text;
    qsizetype m_pos = 0;
};

// After a scheme or a comma: "name = value"? Leaves the reader past it if so.
bool readParam(Reader &in, Challenge *challenge)
{
    const qsizetype start = in.pos();
    const QByteArray name = in.token();
    in.skipSpace();
    if (name.isEmpty() || in.peek() != '=') {
        in.rewind(start);
        return false;
    }
    in.skip();
    in.skipSpace();
    // "abc==" or "abc=" at the end is a token68's padding, not a parameter.
    if (in.peek() == '=' || in.atEnd() || in.peek() == ',') {
        in.rewind(start);
        return false;
    }
    const QByteArray value = in.peek() == '"' ? in.quoted() : in.token();
    challenge->params.insert(name.toLower(), value);
    return true;
}

} // namespace

QList<Challenge> parseChallenges(const QByteArray &header)
{
    QList<Challenge> challenges;
    Reader in(header);
    while (!in.atEnd()) {
        in.skipSpace();
        if (in.peek() == ',') {
            in.skip();
            continue;
        }
        const QByteArray scheme = in.token();
        if (scheme.isEmpty()) {
            in.skip(); // not a token: skip the character
            continue;
        }
        Challenge challenge;
        challenge.scheme = scheme.toLower();
        in.skipSpace();
        if (!readParam(in, &challenge) && !in.atEnd() && in.peek() != ',') {
            const qsizetype start = in.pos();
            const QByteArray token68 = in.token68();
            in.skipSpace();
            if (!token68.isEmpty() && (in.atEnd() || in.peek() == ','))
                challenge.params.insert(QByteArray(), token68);
            else
                in.rewind(start);
        }
        // More params after commas, until something that is not a param:
        // the next challenge's scheme.
        for (;;) {
            const qsizetype start = in.pos();
            in.skipSpace();
            if (in.peek() != ',')
                break;
            in.skip();
            in.skipSpace();
            if (!readParam(in, &challenge)) {
                in.rewind(start);
                break;
            }
        }
        challenges.append(challenge);
    }
    return challenges;
}

const Challenge *bearerChallenge(const QList<Challenge> &challenges)
{
    for (const auto &challenge : challenges) {
        if (challenge.scheme == "bearer")
            return &challenge;
    }
    return nullptr;
}

} // namespace SilentAuth::Internal
