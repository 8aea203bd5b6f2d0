<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>SessionText</name>
    <message>
        <source>Signed out</source>
        <translation>로그아웃됨</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>로그인하는 중…</translation>
    </message>
    <message>
        <source>Restoring your session…</source>
        <translation>세션을 복원하는 중…</translation>
    </message>
    <message>
        <source>Signed in</source>
        <translation>로그인됨</translation>
    </message>
    <message>
        <source>Refreshing…</source>
        <translation>갱신하는 중…</translation>
    </message>
    <message>
        <source>Offline, retrying</source>
        <translation>오프라인, 다시 시도하는 중</translation>
    </message>
    <message>
        <source>Session ended</source>
        <translation>세션 종료됨</translation>
    </message>
    <message>
        <source>Signed in as %1</source>
        <translation>%1(으)로 로그인함</translation>
    </message>
    <message>
        <source>Session restored for %1</source>
        <translation>%1의 세션을 복원함</translation>
    </message>
    <message>
        <source>Request %1</source>
        <translation>요청 %1</translation>
    </message>
    <message>
        <source>401 caught: %1</source>
        <translation>401 감지: %1</translation>
    </message>
    <message>
        <source>Refresh started</source>
        <translation>갱신 시작</translation>
    </message>
    <message>
        <source>Refresh started (ahead of expiry)</source>
        <translation>갱신 시작 (만료 전)</translation>
    </message>
    <message>
        <source>Refresh succeeded</source>
        <translation>갱신 성공</translation>
    </message>
    <message>
        <source>Refresh failed: %1</source>
        <translation>갱신 실패: %1</translation>
    </message>
    <message>
        <source>Refresh token rejected: session ended</source>
        <translation>갱신 토큰이 거부됨: 세션 종료</translation>
    </message>
    <message>
        <source>Replayed: %1</source>
        <translation>재전송: %1</translation>
    </message>
    <message>
        <source>Requests held until you sign in again</source>
        <translation>다시 로그인할 때까지 요청을 보류함</translation>
    </message>
    <message>
        <source>Held requests sent</source>
        <translation>보류한 요청을 보냄</translation>
    </message>
    <message>
        <source>Held requests canceled</source>
        <translation>보류한 요청을 취소함</translation>
    </message>
    <message>
        <source>The server answered HTTP %1%2</source>
        <translation>서버 응답: HTTP %1%2</translation>
    </message>
    <message>
        <source>No answer from the server: %1</source>
        <translation>서버가 응답하지 않았습니다: %1</translation>
    </message>
</context>
<context>
    <name>SilentAuth::AuthNetworkAccessManager</name>
    <message>
        <source>The session belongs to another thread.</source>
        <translation>세션이 다른 스레드에 속해 있습니다.</translation>
    </message>
</context>
<context>
    <name>SilentAuth::AuthReply</name>
    <message>
        <source>The request body could not be buffered for a replay.</source>
        <translation>재전송을 위해 요청 본문을 보관할 수 없습니다.</translation>
    </message>
    <message>
        <source>The sign-in server cannot be reached; try again shortly.</source>
        <translation>로그인 서버에 연결할 수 없습니다. 잠시 후 다시 시도하세요.</translation>
    </message>
    <message>
        <source>Your session has ended; sign in again.</source>
        <translation>세션이 종료되었습니다. 다시 로그인하세요.</translation>
    </message>
    <message>
        <source>Operation canceled</source>
        <translation>작업이 취소됨</translation>
    </message>
    <message>
        <source>The request body is larger than the %1 bytes kept for a replay.</source>
        <translation>요청 본문이 재전송용으로 보관할 수 있는 %1바이트보다 큽니다.</translation>
    </message>
    <message>
        <source>The request body stopped arriving.</source>
        <translation>요청 본문이 더 이상 들어오지 않습니다.</translation>
    </message>
    <message>
        <source>The session was closed before the request could be sent.</source>
        <translation>요청을 보내기 전에 세션이 닫혔습니다.</translation>
    </message>
    <message>
        <source>Another user is signed in now; the request was not sent.</source>
        <translation>지금은 다른 사용자가 로그인되어 있어 요청을 보내지 않았습니다.</translation>
    </message>
    <message>
        <source>You signed out before the request was sent.</source>
        <translation>요청을 보내기 전에 로그아웃했습니다.</translation>
    </message>
    <message>
        <source>The sign-in did not succeed; the request was not sent.</source>
        <translation>로그인하지 못해 요청을 보내지 않았습니다.</translation>
    </message>
    <message>
        <source>You signed out before the answer came; the server may have had the request.</source>
        <translation>응답이 오기 전에 로그아웃했습니다. 서버가 요청을 받았을 수도 있습니다.</translation>
    </message>
    <message>
        <source>Another user signed in before the answer came; the server may have had the request.</source>
        <translation>응답이 오기 전에 다른 사용자가 로그인했습니다. 서버가 요청을 받았을 수도 있습니다.</translation>
    </message>
</context>
<context>
    <name>SilentAuth::BackendClient</name>
    <message>
        <source>The server answered something that could not be read.</source>
        <translation>서버가 읽을 수 없는 응답을 보냈습니다.</translation>
    </message>
    <message>
        <source>Canceled.</source>
        <translation>취소되었습니다.</translation>
    </message>
    <message>
        <source>The server had a problem (HTTP %1). Try again.</source>
        <translation>서버에 문제가 있습니다 (HTTP %1). 다시 시도하세요.</translation>
    </message>
    <message>
        <source>The server cannot be reached (%1).</source>
        <translation>서버에 연결할 수 없습니다 (%1).</translation>
    </message>
</context>
<context>
    <name>SilentAuth::BrowserSignIn</name>
    <message>
        <source>Sign-in failed</source>
        <translation>로그인 실패</translation>
    </message>
    <message>
        <source>The request was too large.</source>
        <translation>요청이 너무 큽니다.</translation>
    </message>
    <message>
        <source>The request could not be read.</source>
        <translation>요청을 읽을 수 없습니다.</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>찾을 수 없음</translation>
    </message>
    <message>
        <source>There is nothing here.</source>
        <translation>여기에는 아무것도 없습니다.</translation>
    </message>
    <message>
        <source>Sign-in already handled</source>
        <translation>이미 처리된 로그인</translation>
    </message>
    <message>
        <source>This sign-in has already been handled. Return to the application.</source>
        <translation>이 로그인은 이미 처리되었습니다. 애플리케이션으로 돌아가세요.</translation>
    </message>
    <message>
        <source>The browser came back with an answer that does not belong to this sign-in. Start the sign-in again from the application.</source>
        <translation>브라우저가 이 로그인과 관계없는 응답을 가지고 돌아왔습니다. 애플리케이션에서 로그인을 다시 시작하세요.</translation>
    </message>
    <message>
        <source>The answer came from another sign-in server than %1. Start the sign-in again.</source>
        <translation>응답이 %1이(가) 아닌 다른 로그인 서버에서 왔습니다. 로그인을 다시 시작하세요.</translation>
    </message>
    <message>
        <source>Sign-in was declined in the browser. Nothing was changed.</source>
        <translation>브라우저에서 로그인을 거절했습니다. 아무것도 바뀌지 않았습니다.</translation>
    </message>
    <message>
        <source>The sign-in server refused the sign-in (%1%2).</source>
        <translation>로그인 서버가 로그인을 거부했습니다 (%1%2).</translation>
    </message>
    <message>
        <source>The browser came back without a sign-in code. Start the sign-in again.</source>
        <translation>브라우저가 로그인 코드 없이 돌아왔습니다. 로그인을 다시 시작하세요.</translation>
    </message>
    <message>
        <source>Signed in</source>
        <translation>로그인됨</translation>
    </message>
    <message>
        <source>You are signed in. You can close this tab and return to the application.</source>
        <translation>로그인되었습니다. 이 탭을 닫고 애플리케이션으로 돌아가세요.</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>로그인되지 않음</translation>
    </message>
    <message>
        <source>You can close this tab.</source>
        <translation>이 탭을 닫아도 됩니다.</translation>
    </message>
    <message>
        <source>The browser did not come back in time. Start the sign-in again.</source>
        <translation>브라우저가 제시간에 돌아오지 않았습니다. 로그인을 다시 시작하세요.</translation>
    </message>
    <message>
        <source>Sign-in was canceled.</source>
        <translation>로그인이 취소되었습니다.</translation>
    </message>
    <message>
        <source>This server does not offer a sign-in through the browser.</source>
        <translation>이 서버는 브라우저를 통한 로그인을 제공하지 않습니다.</translation>
    </message>
    <message>
        <source>This server does not offer a secure sign-in through the browser (PKCE with S256).</source>
        <translation>이 서버는 브라우저를 통한 안전한 로그인(S256을 쓰는 PKCE)을 제공하지 않습니다.</translation>
    </message>
    <message>
        <source>No local port could be opened for the browser to come back to.</source>
        <translation>브라우저가 돌아올 로컬 포트를 열 수 없습니다.</translation>
    </message>
    <message>
        <source>The sign-in server did not accept the sign-in (%1). Start it again.</source>
        <translation>로그인 서버가 로그인을 받아들이지 않았습니다(%1). 다시 시작하세요.</translation>
    </message>
    <message>
        <source>The sign-in could not be completed (%1).</source>
        <translation>로그인을 마치지 못했습니다(%1).</translation>
    </message>
    <message>
        <source>the provider&apos;s key set could not be read</source>
        <translation>제공자의 키 집합을 읽을 수 없습니다</translation>
    </message>
    <message>
        <source>the provider publishes no key this application can verify with</source>
        <translation>제공자가 이 애플리케이션이 검증에 쓸 수 있는 키를 게시하지 않습니다</translation>
    </message>
    <message>
        <source>the ID token is not a signed JWT</source>
        <translation>ID 토큰이 서명된 JWT가 아닙니다</translation>
    </message>
    <message>
        <source>the ID token is signed with %1, which this application does not accept</source>
        <translation>ID 토큰이 이 애플리케이션이 받아들이지 않는 %1(으)로 서명되었습니다</translation>
    </message>
    <message>
        <source>the ID token&apos;s claims could not be read</source>
        <translation>ID 토큰의 클레임을 읽을 수 없습니다</translation>
    </message>
    <message>
        <source>the ID token is signed with a key the provider does not publish</source>
        <translation>ID 토큰이 제공자가 게시하지 않은 키로 서명되었습니다</translation>
    </message>
    <message>
        <source>the ID token&apos;s signature is not valid</source>
        <translation>ID 토큰의 서명이 올바르지 않습니다</translation>
    </message>
    <message>
        <source>the ID token was issued by another server</source>
        <translation>ID 토큰을 다른 서버가 발급했습니다</translation>
    </message>
    <message>
        <source>the ID token names no user</source>
        <translation>ID 토큰에 사용자가 없습니다</translation>
    </message>
    <message>
        <source>the ID token is meant for another application</source>
        <translation>ID 토큰이 다른 애플리케이션용입니다</translation>
    </message>
    <message>
        <source>the ID token has expired (check the computer&apos;s clock)</source>
        <translation>ID 토큰이 만료되었습니다(컴퓨터 시계를 확인하세요)</translation>
    </message>
    <message>
        <source>the ID token was issued in the future (check the computer&apos;s clock)</source>
        <translation>ID 토큰의 발급 시각이 미래입니다(컴퓨터 시계를 확인하세요)</translation>
    </message>
    <message>
        <source>the ID token belongs to another sign-in</source>
        <translation>ID 토큰이 다른 로그인의 것입니다</translation>
    </message>
</context>
<context>
    <name>SilentAuth::DesktopApp</name>
    <message>
        <source>The bundled server could not start: %1</source>
        <translation>내장 서버를 시작할 수 없습니다: %1</translation>
    </message>
    <message>
        <source>This is the bundled demo server. Sign in as alice / alice-password or bob / bob-password.</source>
        <translation>내장 데모 서버입니다. alice / alice-password 또는 bob / bob-password로 로그인하세요.</translation>
    </message>
    <message>
        <source>This is the bundled demo server. In the browser, sign in as alice / alice-password or bob / bob-password.</source>
        <translation>내장 데모 서버입니다. 브라우저에서 alice / alice-password 또는 bob / bob-password로 로그인하세요.</translation>
    </message>
    <message>
        <source>Looking up the sign-in server at %1…</source>
        <translation>%1에서 로그인 서버를 찾는 중…</translation>
    </message>
    <message>
        <source>%1 cannot be used to sign in. %2 Check the issuer in Settings, or try again.</source>
        <translation>%1은(는) 로그인에 사용할 수 없습니다. %2 설정에서 발급자를 확인하거나 다시 시도하세요.</translation>
    </message>
    <message>
        <source>This sign-in server does not allow this program a lasting sign-in (offline_access). Sign in with your browser again: it will ask again when its own sign-in ends.</source>
        <translation>이 로그인 서버는 이 프로그램의 지속 로그인(offline_access)을 허용하지 않습니다. 브라우저로 다시 로그인하세요. 서버의 로그인이 끝나면 다시 묻습니다.</translation>
    </message>
</context>
<context>
    <name>SilentAuth::DeviceSignIn</name>
    <message>
        <source>its answer was far too large</source>
        <translation>응답이 너무 큽니다</translation>
    </message>
    <message>
        <source>it did not answer in time</source>
        <translation>제때 응답하지 않았습니다</translation>
    </message>
    <message>
        <source>The sign-in server did not give a code to sign in with (%1).</source>
        <translation>로그인 서버가 로그인에 쓸 코드를 주지 않았습니다(%1).</translation>
    </message>
    <message>
        <source>Sign-in was declined. Nothing was changed.</source>
        <translation>로그인이 거부되었습니다. 바뀐 것은 없습니다.</translation>
    </message>
    <message>
        <source>The code expired before the sign-in was finished. Start the sign-in again for a new code.</source>
        <translation>로그인을 마치기 전에 코드가 만료되었습니다. 새 코드를 받으려면 로그인을 다시 시작하세요.</translation>
    </message>
    <message>
        <source>The sign-in server did not accept the sign-in (%1). Start it again.</source>
        <translation>로그인 서버가 로그인을 받아들이지 않았습니다(%1). 다시 시작하세요.</translation>
    </message>
    <message>
        <source>The sign-in server refused this application (%1).</source>
        <translation>로그인 서버가 이 애플리케이션을 거부했습니다(%1).</translation>
    </message>
    <message>
        <source>Sign-in was canceled.</source>
        <translation>로그인이 취소되었습니다.</translation>
    </message>
    <message>
        <source>This server does not offer a sign-in with a code entered on another device.</source>
        <translation>이 서버는 다른 기기에서 코드를 입력하는 로그인을 제공하지 않습니다.</translation>
    </message>
    <message>
        <source>the answer is not a JSON object</source>
        <translation>응답이 JSON 객체가 아닙니다</translation>
    </message>
    <message>
        <source>device_code is missing or not usable</source>
        <translation>device_code가 없거나 사용할 수 없습니다</translation>
    </message>
    <message>
        <source>user_code is missing or has characters that cannot be shown</source>
        <translation>user_code가 없거나 표시할 수 없는 문자가 있습니다</translation>
    </message>
    <message>
        <source>verification_uri is missing or not an https:// address</source>
        <translation>verification_uri가 없거나 https:// 주소가 아닙니다</translation>
    </message>
    <message>
        <source>expires_in is missing</source>
        <translation>expires_in이 없습니다</translation>
    </message>
</context>
<context>
    <name>SilentAuth::Internal::GrantCompletion</name>
    <message>
        <source>The sign-in server&apos;s address starts with http://, so the sign-in would travel unencrypted. Use its https:// address.</source>
        <translation>로그인 서버 주소가 http://로 시작하므로 로그인 정보가 암호화되지 않은 채 전송됩니다. https:// 주소를 사용하세요.</translation>
    </message>
    <message>
        <source>The sign-in server&apos;s answer was far too large.</source>
        <translation>로그인 서버의 응답이 너무 큽니다.</translation>
    </message>
    <message>
        <source>The sign-in server did not answer in time.</source>
        <translation>로그인 서버가 제때 응답하지 않았습니다.</translation>
    </message>
    <message>
        <source>The sign-in could not be completed.</source>
        <translation>로그인을 마치지 못했습니다.</translation>
    </message>
    <message>
        <source>Another sign-in or a sign-out came first; this sign-in was dropped.</source>
        <translation>다른 로그인이나 로그아웃이 먼저 일어나 이 로그인은 취소되었습니다.</translation>
    </message>
    <message>
        <source>The sign-in server did not say who signed in (no ID token).</source>
        <translation>로그인 서버가 누가 로그인했는지 알려 주지 않았습니다(ID 토큰 없음).</translation>
    </message>
    <message>
        <source>The sign-in could not be trusted: %1. Nothing was changed.</source>
        <translation>로그인을 신뢰할 수 없습니다: %1. 바뀐 것은 없습니다.</translation>
    </message>
    <message>
        <source>The sign-in server publishes no keys to check the sign-in with.</source>
        <translation>로그인 서버가 로그인을 확인할 키를 게시하지 않습니다.</translation>
    </message>
    <message>
        <source>far too large</source>
        <translation>너무 큼</translation>
    </message>
    <message>
        <source>no answer in time</source>
        <translation>제때 응답 없음</translation>
    </message>
    <message>
        <source>The sign-in server&apos;s keys could not be read (%1).</source>
        <translation>로그인 서버의 키를 읽을 수 없습니다(%1).</translation>
    </message>
</context>
<context>
    <name>SilentAuth::ProviderDiscovery</name>
    <message>
        <source>The provider cannot be reached (%1).</source>
        <translation>제공자에 연결할 수 없습니다 (%1).</translation>
    </message>
    <message>
        <source>The provider has no discovery document (HTTP %1) at %2.</source>
        <translation>%2에 제공자의 검색 문서가 없습니다 (HTTP %1).</translation>
    </message>
    <message>
        <source>The provider&apos;s discovery document is too large.</source>
        <translation>제공자의 검색 문서가 너무 큽니다.</translation>
    </message>
    <message>
        <source>The provider&apos;s discovery document cannot be used: %1.</source>
        <translation>제공자의 검색 문서를 사용할 수 없습니다: %1.</translation>
    </message>
    <message>
        <source>%1 is not an issuer address (https://host/path).</source>
        <translation>%1은(는) 발급자 주소(https://host/path)가 아닙니다.</translation>
    </message>
    <message>
        <source>The issuer&apos;s address starts with http://; use its https:// address.</source>
        <translation>발급자 주소가 http://로 시작합니다. https:// 주소를 사용하세요.</translation>
    </message>
    <message>
        <source>No network access.</source>
        <translation>네트워크에 접근할 수 없습니다.</translation>
    </message>
    <message>
        <source>the discovery document is not a JSON object</source>
        <translation>검색 문서가 JSON 객체가 아닙니다</translation>
    </message>
    <message>
        <source>the discovery document names no issuer</source>
        <translation>검색 문서에 발급자(issuer)가 없습니다</translation>
    </message>
    <message>
        <source>the provider says it is %1, not %2</source>
        <translation>제공자가 %2이(가) 아니라 %1(이)라고 밝힙니다</translation>
    </message>
    <message>
        <source>the provider names no token endpoint</source>
        <translation>제공자가 토큰 엔드포인트를 알려 주지 않습니다</translation>
    </message>
    <message>
        <source>the provider names an unusable address: %1</source>
        <translation>제공자가 사용할 수 없는 주소를 알려 줍니다: %1</translation>
    </message>
    <message>
        <source>The provider did not answer in time.</source>
        <translation>제공자가 제때 응답하지 않았습니다.</translation>
    </message>
</context>
<context>
    <name>SilentAuth::Session</name>
    <message>
        <source>The keychain did not give the saved sign-in (%1); retrying.</source>
        <translation>키체인이 저장된 로그인 정보를 주지 않았습니다 (%1). 다시 시도하는 중입니다.</translation>
    </message>
    <message>
        <source>Another program signed in to this account (%1, process %2) has not finished its refresh; retrying once it has. Quit that program if it does not respond.</source>
        <translation>이 계정에 로그인한 다른 프로그램(%1, 프로세스 %2)이 아직 갱신을 마치지 않았습니다. 마치면 다시 시도합니다. 그 프로그램이 응답하지 않으면 종료하세요.</translation>
    </message>
    <message>
        <source>Your sign-in could not be saved in the keychain (%1); you stay signed in until you quit.</source>
        <translation>로그인 정보를 키체인에 저장할 수 없습니다 (%1). 프로그램을 종료할 때까지 로그인 상태가 유지됩니다.</translation>
    </message>
    <message>
        <source>Your session has ended. Please sign in again.</source>
        <translation>세션이 종료되었습니다. 다시 로그인하세요.</translation>
    </message>
    <message>
        <source>The sign-in server cannot be reached right now (%1); retrying.</source>
        <translation>지금은 로그인 서버에 연결할 수 없습니다 (%1). 다시 시도하는 중입니다.</translation>
    </message>
    <message>
        <source>The username or password is wrong. Check them and try again.</source>
        <translation>사용자 이름 또는 비밀번호가 올바르지 않습니다. 확인한 뒤 다시 시도하세요.</translation>
    </message>
    <message numerus="yes">
        <source>Too many failed attempts. Wait %n second(s) and try again.</source>
        <translation>
            <numerusform>로그인 시도가 너무 많습니다. %n초 기다린 뒤 다시 시도하세요.</numerusform>
        </translation>
    </message>
    <message>
        <source>The server answered something that could not be read. Check the server address.</source>
        <translation>서버가 읽을 수 없는 응답을 보냈습니다. 서버 주소를 확인하세요.</translation>
    </message>
    <message>
        <source>The server cannot be reached (%1). Check your connection and the server address.</source>
        <translation>서버에 연결할 수 없습니다 (%1). 네트워크 연결과 서버 주소를 확인하세요.</translation>
    </message>
    <message>
        <source>There is no saved session.</source>
        <translation>저장된 세션이 없습니다.</translation>
    </message>
    <message>
        <source>The keychain is not available (%1).</source>
        <translation>키체인을 사용할 수 없습니다 (%1).</translation>
    </message>
    <message>
        <source>The sign-in server&apos;s address starts with http://, so the sign-in would travel unencrypted. Use its https:// address.</source>
        <translation>로그인 서버 주소가 http://로 시작하므로 로그인 정보가 암호화되지 않은 채 전송됩니다. https:// 주소를 사용하세요.</translation>
    </message>
    <message>
        <source>The sign-in server refused this application (%1). Check the server address, client id and secret in the settings; you stay signed in.</source>
        <translation>로그인 서버가 이 애플리케이션을 거부했습니다 (%1). 설정에서 서버 주소, 클라이언트 ID와 시크릿을 확인하세요. 로그인 상태는 유지됩니다.</translation>
    </message>
    <message>
        <source>The sign-in server answered something that could not be read (%1); retrying.</source>
        <translation>로그인 서버가 읽을 수 없는 응답을 보냈습니다 (%1). 다시 시도하는 중입니다.</translation>
    </message>
    <message>
        <source>The sign-in server asks to wait before trying again; retrying.</source>
        <translation>로그인 서버가 잠시 기다렸다가 다시 시도하라고 합니다. 다시 시도하는 중입니다.</translation>
    </message>
    <message>
        <source>The server&apos;s address starts with http://, so your sign-in would travel unencrypted. Use its https:// address.</source>
        <translation>서버 주소가 http://로 시작하므로 로그인 정보가 암호화되지 않은 채 전송됩니다. https:// 주소를 사용하세요.</translation>
    </message>
    <message>
        <source>This server does not accept a password sign-in. Sign in through the browser instead, or check the protocol in the settings.</source>
        <translation>이 서버는 비밀번호 로그인을 받지 않습니다. 브라우저로 로그인하거나 설정에서 프로토콜을 확인하세요.</translation>
    </message>
    <message>
        <source>The server refused this application (%1). Check the server address, client id and secret in the settings.</source>
        <translation>서버가 이 애플리케이션을 거부했습니다 (%1). 설정에서 서버 주소, 클라이언트 ID와 시크릿을 확인하세요.</translation>
    </message>
    <message>
        <source>The refresh token contains characters a token cannot contain.</source>
        <translation>갱신 토큰에 토큰에 들어갈 수 없는 문자가 있습니다.</translation>
    </message>
    <message>
        <source>You are signed out, but the saved sign-in could not be removed from the keychain (%1). It is removed the next time the keychain can be reached.</source>
        <translation>로그아웃했지만 저장된 로그인 정보를 키체인에서 지울 수 없습니다 (%1). 다음에 키체인에 접근할 수 있을 때 지웁니다.</translation>
    </message>
    <message>
        <source>You are signed out on this computer, but the server could not be told (%1). The sign-in stays valid there until it expires.</source>
        <translation>이 컴퓨터에서는 로그아웃했지만 서버에 알리지 못했습니다 (%1). 서버에서는 로그인이 만료될 때까지 유효합니다.</translation>
    </message>
    <message>
        <source>The server sent a token with characters a token cannot contain.</source>
        <translation>서버가 토큰에 들어갈 수 없는 문자가 있는 토큰을 보냈습니다.</translation>
    </message>
    <message>
        <source>The server sent a token of a type this program does not use (DPoP).</source>
        <translation>서버가 이 프로그램이 사용하지 않는 유형의 토큰(DPoP)을 보냈습니다.</translation>
    </message>
    <message>
        <source>(not shown: it repeats what this program sent)</source>
        <translation>(표시하지 않음: 이 프로그램이 보낸 내용을 되풀이합니다)</translation>
    </message>
</context>
<context>
    <name>SilentAuth::Ui::BoardModel</name>
    <message>
        <source>Title</source>
        <translation>제목</translation>
    </message>
    <message>
        <source>Author</source>
        <translation>작성자</translation>
    </message>
    <message>
        <source>Last change</source>
        <translation>최근 수정</translation>
    </message>
</context>
<context>
    <name>SilentAuth::Ui::BrowserWaitPanel</name>
    <message>
        <source>Finishing sign-in…</source>
        <translation>로그인을 마무리하는 중…</translation>
    </message>
    <message>
        <source>Waiting for you to finish in the browser…</source>
        <translation>브라우저에서 로그인을 마칠 때까지 기다리는 중…</translation>
    </message>
    <message>
        <source>No browser could be opened. Open this &amp;link in your browser:</source>
        <translation>브라우저를 열 수 없습니다. 브라우저에서 이 링크를 여세요(&amp;L):</translation>
    </message>
    <message>
        <source>If your browser did not open, open this &amp;link:</source>
        <translation>브라우저가 열리지 않았다면 이 링크를 여세요(&amp;L):</translation>
    </message>
    <message>
        <source>&amp;Copy link</source>
        <translation>링크 복사(&amp;C)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>취소</translation>
    </message>
    <message>
        <source>Sign-in link</source>
        <translation>로그인 링크</translation>
    </message>
    <message>
        <source>Copy link</source>
        <translation>링크 복사</translation>
    </message>
    <message>
        <source>Cancel sign-in</source>
        <translation>로그인 취소</translation>
    </message>
    <message>
        <source>Stop waiting for the browser (Esc)</source>
        <translation>브라우저를 기다리지 않고 멈춥니다 (Esc)</translation>
    </message>
    <message>
        <source>Waiting for the browser</source>
        <translation>브라우저를 기다리는 중</translation>
    </message>
    <message>
        <source>Link copied. Paste it into your browser&apos;s address bar.</source>
        <translation>링크를 복사했습니다. 브라우저의 주소 표시줄에 붙여 넣으세요.</translation>
    </message>
</context>
<context>
    <name>SilentAuth::Ui::ErrorPanel</name>
    <message>
        <source>Deta&amp;ils</source>
        <translation>자세히(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Copy details</source>
        <translation>자세한 정보 복사(&amp;C)</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>자세한 정보</translation>
    </message>
    <message>
        <source>Shows what went wrong in technical terms</source>
        <translation>무엇이 잘못되었는지 기술적으로 보여 줍니다</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>자세한 정보 복사</translation>
    </message>
    <message>
        <source>Copies the message and its details, for a report</source>
        <translation>보고용으로 메시지와 자세한 정보를 복사합니다</translation>
    </message>
    <message>
        <source>Details: %1</source>
        <translation>자세한 정보: %1</translation>
    </message>
</context>
<context>
    <name>SilentAuth::Ui::MainWindow</name>
    <message>
        <source>SilentAuth</source>
        <translation>SilentAuth</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>기본</translation>
    </message>
    <message>
        <source>&amp;Reload</source>
        <translation>새로 고침(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;New post</source>
        <translation>새 글(&amp;N)</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>로그아웃(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Board</source>
        <translation>게시판(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Profile</source>
        <translation>프로필(&amp;P)</translation>
    </message>
    <message>
        <source>Activity</source>
        <translation>활동</translation>
    </message>
    <message>
        <source>Sign-in activity</source>
        <translation>로그인 활동</translation>
    </message>
    <message>
        <source>Posts</source>
        <translation>글 목록</translation>
    </message>
    <message>
        <source>Post title</source>
        <translation>글 제목</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>제목</translation>
    </message>
    <message>
        <source>Post text</source>
        <translation>글 내용</translation>
    </message>
    <message>
        <source>Write your post…</source>
        <translation>글을 작성하세요…</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>저장(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>삭제(&amp;D)</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>표시 이름</translation>
    </message>
    <message>
        <source>Save &amp;name</source>
        <translation>이름 저장(&amp;N)</translation>
    </message>
    <message>
        <source>Username:</source>
        <translation>사용자 이름:</translation>
    </message>
    <message>
        <source>Email:</source>
        <translation>이메일:</translation>
    </message>
    <message>
        <source>&amp;Display name:</source>
        <translation>표시 이름(&amp;D):</translation>
    </message>
    <message>
        <source>Retry &amp;now</source>
        <translation>지금 다시 시도(&amp;N)</translation>
    </message>
    <message>
        <source>Silent refreshes: %1</source>
        <translation>자동 갱신: %1</translation>
    </message>
    <message>
        <source>Replays: %1</source>
        <translation>재전송: %1</translation>
    </message>
    <message>
        <source>The sign-in server cannot be reached. You are still signed in; SilentAuth keeps retrying on its own.</source>
        <translation>로그인 서버에 연결할 수 없습니다. 로그인 상태는 유지되며 SilentAuth가 자동으로 다시 시도합니다.</translation>
    </message>
    <message>
        <source>Trying to reach the sign-in server…</source>
        <translation>로그인 서버에 연결하는 중…</translation>
    </message>
    <message>
        <source>Token: none</source>
        <translation>토큰: 없음</translation>
    </message>
    <message>
        <source>Loading posts…</source>
        <translation>글을 불러오는 중…</translation>
    </message>
    <message>
        <source>Loading the board</source>
        <translation>게시판 불러오기</translation>
    </message>
    <message>
        <source>No posts yet. Write the first one!</source>
        <translation>아직 글이 없습니다. 첫 글을 작성해 보세요!</translation>
    </message>
    <message>
        <source>Loading your profile</source>
        <translation>프로필 불러오기</translation>
    </message>
    <message>
        <source>%1 — SilentAuth</source>
        <translation>%1 — SilentAuth</translation>
    </message>
    <message>
        <source>Unsaved post</source>
        <translation>저장하지 않은 글</translation>
    </message>
    <message>
        <source>Your changes to &quot;%1&quot; are not saved. Discard them?</source>
        <translation>&quot;%1&quot;의 변경 사항이 저장되지 않았습니다. 버릴까요?</translation>
    </message>
    <message>
        <source>Editing your post</source>
        <translation>내 글 편집 중</translation>
    </message>
    <message>
        <source>By %1</source>
        <translation>작성자: %1</translation>
    </message>
    <message>
        <source>New post</source>
        <translation>새 글</translation>
    </message>
    <message>
        <source>A post needs a title.</source>
        <translation>글에는 제목이 필요합니다.</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>저장하는 중…</translation>
    </message>
    <message>
        <source>Saving the post</source>
        <translation>글 저장</translation>
    </message>
    <message>
        <source>Saved</source>
        <translation>저장됨</translation>
    </message>
    <message>
        <source>Delete post</source>
        <translation>글 삭제</translation>
    </message>
    <message>
        <source>Delete &quot;%1&quot;? This cannot be undone.</source>
        <translation>&quot;%1&quot;을(를) 삭제할까요? 되돌릴 수 없습니다.</translation>
    </message>
    <message>
        <source>Deleting the post</source>
        <translation>글 삭제</translation>
    </message>
    <message>
        <source>Saving your name</source>
        <translation>이름 저장</translation>
    </message>
    <message>
        <source>Name saved</source>
        <translation>이름을 저장했습니다</translation>
    </message>
    <message>
        <source>Your session has ended. Sign in again to continue.</source>
        <translation>세션이 종료되었습니다. 계속하려면 다시 로그인하세요.</translation>
    </message>
    <message>
        <source>The server had a problem. Try again in a moment.</source>
        <translation>서버에 문제가 생겼습니다. 잠시 후 다시 시도하세요.</translation>
    </message>
    <message>
        <source>Details: %1</source>
        <translation>자세한 정보: %1</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>단축키</translation>
    </message>
    <message>
        <source>Alt and the underlined letter opens a menu or moves to a field.</source>
        <translation>Alt와 밑줄 친 글자를 누르면 메뉴가 열리거나 해당 입력란으로 이동합니다.</translation>
    </message>
    <message>
        <source>About SilentAuth</source>
        <translation>SilentAuth 정보</translation>
    </message>
    <message>
        <source>&lt;h3&gt;SilentAuth %1&lt;/h3&gt;&lt;p&gt;Signs you in once and keeps you signed in.&lt;/p&gt;&lt;p&gt;Built with Qt %2 (LGPL-3.0) and QtKeychain (BSD-3-Clause).&lt;/p&gt;</source>
        <translation>&lt;h3&gt;SilentAuth %1&lt;/h3&gt;&lt;p&gt;한 번 로그인하면 로그인 상태를 유지합니다.&lt;/p&gt;&lt;p&gt;Qt %2(LGPL-3.0)와 QtKeychain(BSD-3-Clause)으로 만들었습니다.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Your unsaved post from %1 is back. Save it, or start a new post to discard it.</source>
        <translation>%1에 저장하지 않은 게시물을 되살렸습니다. 저장하거나, 버리려면 새 게시물을 시작하세요.</translation>
    </message>
    <message>
        <source>Your post &quot;%1&quot; is not saved.</source>
        <translation>게시물 &quot;%1&quot;이(가) 저장되지 않았습니다.</translation>
    </message>
    <message>
        <source>Keep it on this computer, and it is offered back the next time you sign in.</source>
        <translation>이 컴퓨터에 보관하면 다음에 로그인할 때 다시 보여 드립니다.</translation>
    </message>
    <message>
        <source>&amp;Keep for later</source>
        <translation>나중을 위해 보관(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Discard</source>
        <translation>버리기(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Save post</source>
        <translation>게시물 저장(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Account</source>
        <translation>계정(&amp;A)</translation>
    </message>
    <message>
        <source>P&amp;ost</source>
        <translation>게시물(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>보기(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>도움말(&amp;H)</translation>
    </message>
    <message>
        <source>S&amp;witch account…</source>
        <translation>계정 전환(&amp;W)…</translation>
    </message>
    <message>
        <source>Se&amp;ttings…</source>
        <translation>설정(&amp;T)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>끝내기(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Activity</source>
        <translation>활동(&amp;A)</translation>
    </message>
    <message>
        <source>Token and refresh &amp;counters</source>
        <translation>토큰과 갱신 횟수(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Toolbar</source>
        <translation>도구 모음(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>단축키(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;About SilentAuth</source>
        <translation>SilentAuth 정보(&amp;A)</translation>
    </message>
    <message>
        <source>Signed in as %1</source>
        <translation>%1(으)로 로그인함</translation>
    </message>
    <message>
        <source>Signed in as %1 at %2</source>
        <translation>%2에 %1(으)로 로그인함</translation>
    </message>
    <message numerus="yes">
        <source>Token: %n hour(s) left</source>
        <translation>
            <numerusform>토큰: %n시간 남음</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Token: %n minute(s) left</source>
        <translation>
            <numerusform>토큰: %n분 남음</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Token: %n second(s) left</source>
        <translation>
            <numerusform>토큰: %n초 남음</numerusform>
        </translation>
    </message>
    <message>
        <source>The posts could not be loaded. %1</source>
        <translation>게시물을 불러오지 못했습니다. %1</translation>
    </message>
    <message>
        <source>Not saved. %1</source>
        <translation>저장하지 못했습니다. %1</translation>
    </message>
    <message>
        <source>%1 failed. %2</source>
        <translation>%1 실패. %2</translation>
    </message>
    <message>
        <source>Pages</source>
        <translation>페이지</translation>
    </message>
    <message>
        <source>Try a&amp;gain now</source>
        <translation>지금 다시 시도(&amp;G)</translation>
    </message>
    <message>
        <source>%1 The posts shown are from %2 and may be out of date; SilentAuth tries again on its own.</source>
        <translation>%1 보이는 게시물은 %2 기준이라 최신이 아닐 수 있습니다. SilentAuth가 알아서 다시 시도합니다.</translation>
    </message>
    <message>
        <source>%1 SilentAuth tries again on its own.</source>
        <translation>%1 SilentAuth가 알아서 다시 시도합니다.</translation>
    </message>
    <message>
        <source>The posts are up to date again.</source>
        <translation>게시물이 다시 최신 상태입니다.</translation>
    </message>
    <message>
        <source>Deta&amp;ils</source>
        <translation>자세히(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Copy details</source>
        <translation>자세한 정보 복사(&amp;C)</translation>
    </message>
    <message>
        <source>Details copied</source>
        <translation>자세한 정보를 복사했습니다</translation>
    </message>
    <message>
        <source>The server could not be reached. Check your connection.</source>
        <translation>서버에 연결할 수 없습니다. 네트워크 연결을 확인하세요.</translation>
    </message>
    <message>
        <source>The server refused this: %1</source>
        <translation>서버가 이 요청을 거부했습니다: %1</translation>
    </message>
    <message>
        <source>D&amp;etails</source>
        <translation>자세히(&amp;E)</translation>
    </message>
    <message>
        <source>Cop&amp;y details</source>
        <translation>자세한 정보 복사(&amp;Y)</translation>
    </message>
    <message>
        <source>Dis&amp;miss</source>
        <translation>닫기(&amp;M)</translation>
    </message>
</context>
<context>
    <name>SilentAuth::Ui::PasswordAids</name>
    <message>
        <source>Hide password</source>
        <translation>비밀번호 숨기기</translation>
    </message>
    <message>
        <source>Show password</source>
        <translation>비밀번호 보기</translation>
    </message>
    <message>
        <source>Caps Lock is on.</source>
        <translation>Caps Lock이 켜져 있습니다.</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 hides the password.</source>
        <translation>%1 키를 누르면 비밀번호를 숨깁니다.</translation>
    </message>
    <message>
        <source>%1 shows the password.</source>
        <translation>%1 키를 누르면 비밀번호를 표시합니다.</translation>
    </message>
</context>
<context>
    <name>SilentAuth::Ui::ReauthDialog</name>
    <message>
        <source>Session ended</source>
        <translation>세션 종료됨</translation>
    </message>
    <message>
        <source>Your session has ended. Enter your password to continue; nothing you were doing is lost.</source>
        <translation>세션이 종료되었습니다. 계속하려면 비밀번호를 입력하세요. 작업하던 내용은 그대로 남아 있습니다.</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>사용자 이름</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>비밀번호</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>로그인(&amp;S)</translation>
    </message>
    <message>
        <source>Username:</source>
        <translation>사용자 이름:</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>비밀번호(&amp;P):</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>비밀번호를 입력하세요.</translation>
    </message>
    <message>
        <source>Your session has ended. Sign in again in your browser to continue; nothing you were doing is lost.</source>
        <translation>세션이 종료되었습니다. 계속하려면 브라우저에서 다시 로그인하세요. 작업하던 내용은 그대로 남아 있습니다.</translation>
    </message>
    <message>
        <source>Sign in with your &amp;browser</source>
        <translation>브라우저로 로그인(&amp;B)</translation>
    </message>
    <message>
        <source>Sign in with your browser</source>
        <translation>브라우저로 로그인</translation>
    </message>
    <message>
        <source>Deta&amp;ils</source>
        <translation>자세히(&amp;I)</translation>
    </message>
    <message>
        <source>Cop&amp;y details</source>
        <translation>자세한 정보 복사(&amp;Y)</translation>
    </message>
</context>
<context>
    <name>SilentAuth::Ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>설정</translation>
    </message>
    <message>
        <source>Empty: the bundled demo server</source>
        <translation>비워 두면 내장 데모 서버</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>서버 주소</translation>
    </message>
    <message>
        <source>Sign-in protocol</source>
        <translation>로그인 프로토콜</translation>
    </message>
    <message>
        <source>SilentAuth JSON API</source>
        <translation>SilentAuth JSON API</translation>
    </message>
    <message>
        <source>OAuth 2.0</source>
        <translation>OAuth 2.0</translation>
    </message>
    <message>
        <source>Default: server + /oauth/token</source>
        <translation>기본값: 서버 + /oauth/token</translation>
    </message>
    <message>
        <source>Token URL</source>
        <translation>토큰 URL</translation>
    </message>
    <message>
        <source>Client ID</source>
        <translation>클라이언트 ID</translation>
    </message>
    <message>
        <source>Scope</source>
        <translation>범위</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>언어</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>시스템 기본값</translation>
    </message>
    <message>
        <source>&amp;Server:</source>
        <translation>서버(&amp;S):</translation>
    </message>
    <message>
        <source>&amp;Protocol:</source>
        <translation>프로토콜(&amp;P):</translation>
    </message>
    <message>
        <source>&amp;Token URL:</source>
        <translation>토큰 URL(&amp;T):</translation>
    </message>
    <message>
        <source>&amp;Client ID:</source>
        <translation>클라이언트 ID(&amp;C):</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>언어(&amp;L):</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not an http or https address.</source>
        <translation>&quot;%1&quot;은(는) http 또는 https 주소가 아닙니다.</translation>
    </message>
    <message>
        <source>OpenID provider (sign in with the browser)</source>
        <translation>OpenID 제공자 (브라우저로 로그인)</translation>
    </message>
    <message>
        <source>Empty: the server&apos;s own address</source>
        <translation>비워 두면 서버 주소</translation>
    </message>
    <message>
        <source>Issuer</source>
        <translation>발급자</translation>
    </message>
    <message>
        <source>The OpenID provider&apos;s issuer address, e.g. https://login.example.com/realms/main</source>
        <translation>OpenID 제공자의 발급자 주소 (예: https://login.example.com/realms/main)</translation>
    </message>
    <message>
        <source>&amp;Issuer:</source>
        <translation>발급자(&amp;I):</translation>
    </message>
    <message>
        <source>Sc&amp;ope:</source>
        <translation>범위(&amp;O):</translation>
    </message>
    <message>
        <source>Default: openid profile</source>
        <translation>기본값: openid profile</translation>
    </message>
    <message>
        <source>Enter the client ID this program is registered with at the OpenID provider.</source>
        <translation>이 프로그램이 OpenID 제공자에 등록된 클라이언트 ID를 입력하세요.</translation>
    </message>
    <message>
        <source>Where the refresh token travels</source>
        <translation>갱신 토큰을 보내는 방식</translation>
    </message>
    <message>
        <source>In the JSON body</source>
        <translation>JSON 본문에 담아</translation>
    </message>
    <message>
        <source>In an HttpOnly cookie</source>
        <translation>HttpOnly 쿠키에 담아</translation>
    </message>
    <message>
        <source>For a backend built for browsers, which keeps the refresh token in a cookie. The bundled demo server follows this setting.</source>
        <translation>갱신 토큰을 쿠키에 보관하는 브라우저용 백엔드에 씁니다. 내장 데모 서버도 이 설정을 따릅니다.</translation>
    </message>
    <message>
        <source>Warning</source>
        <translation>경고</translation>
    </message>
    <message>
        <source>&amp;Refresh token:</source>
        <translation>갱신 토큰(&amp;R):</translation>
    </message>
    <message>
        <source>%1 is not encrypted (http://): your password and tokens would travel readable by anyone on the way. The program refuses to send them there; use the https:// address.</source>
        <translation>%1은(는) 암호화되지 않습니다(http://). 비밀번호와 토큰을 중간에서 누구나 읽을 수 있게 됩니다. 이 프로그램은 그곳으로 보내지 않으니 https:// 주소를 사용하세요.</translation>
    </message>
</context>
<context>
    <name>SilentAuth::Ui::Shell</name>
    <message>
        <source>There is no keychain on this system.</source>
        <translation>이 시스템에는 키체인이 없습니다.</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>로그인하는 중…</translation>
    </message>
    <message>
        <source>Restoring your session…</source>
        <translation>세션을 복원하는 중…</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>로그아웃</translation>
    </message>
    <message>
        <source>Your post is not saved. Sign out anyway?</source>
        <translation>글이 저장되지 않았습니다. 그래도 로그아웃할까요?</translation>
    </message>
    <message>
        <source>Signing out…</source>
        <translation>로그아웃하는 중…</translation>
    </message>
    <message>
        <source>Opening your browser…</source>
        <translation>브라우저를 여는 중…</translation>
    </message>
    <message>
        <source>Your unsaved post is kept on this computer. Sign in as %1 to get back to it.</source>
        <translation>저장하지 않은 게시물은 이 컴퓨터에 보관되어 있습니다. 다시 보려면 %1(으)로 로그인하세요.</translation>
    </message>
    <message>
        <source>Your session has ended. Sign in again to continue; nothing is lost.</source>
        <translation>세션이 종료되었습니다. 계속하려면 다시 로그인하세요. 잃어버린 것은 없습니다.</translation>
    </message>
    <message>
        <source>SilentAuth</source>
        <translation>SilentAuth</translation>
    </message>
    <message>
        <source>The sign-in server did not answer in time. Check your connection and try again.</source>
        <translation>로그인 서버가 제때 응답하지 않았습니다. 네트워크 연결을 확인한 뒤 다시 시도하세요.</translation>
    </message>
    <message>
        <source>The sign-in server could not be reached. Check your connection and the server address.</source>
        <translation>로그인 서버에 연결할 수 없습니다. 네트워크 연결과 서버 주소를 확인하세요.</translation>
    </message>
    <message>
        <source>The provider&apos;s error: %1</source>
        <translation>제공자의 오류: %1</translation>
    </message>
</context>
<context>
    <name>SilentAuth::Ui::SignInWindow</name>
    <message>
        <source>Sign in — SilentAuth</source>
        <translation>로그인 — SilentAuth</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>로그인</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>서버:</translation>
    </message>
    <message>
        <source>&amp;Username:</source>
        <translation>사용자 이름(&amp;U):</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>비밀번호(&amp;P):</translation>
    </message>
    <message>
        <source>&amp;Keep me signed in</source>
        <translation>로그인 상태 유지(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>로그인(&amp;S)</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>설정</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>사용자 이름</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>비밀번호</translation>
    </message>
    <message>
        <source>Keep me signed in</source>
        <translation>로그인 상태 유지</translation>
    </message>
    <message>
        <source>Stay signed in after you quit; the sign-in is kept in the system keychain, never in a file.</source>
        <translation>종료한 뒤에도 로그인 상태를 유지합니다. 로그인 정보는 파일이 아닌 시스템 키체인에 보관됩니다.</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>서버 주소</translation>
    </message>
    <message>
        <source>Working</source>
        <translation>처리 중</translation>
    </message>
    <message>
        <source>Not available: %1 You stay signed in until you quit.</source>
        <translation>사용할 수 없음: %1 프로그램을 종료할 때까지 로그인 상태가 유지됩니다.</translation>
    </message>
    <message>
        <source>Enter your username.</source>
        <translation>사용자 이름을 입력하세요.</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>비밀번호를 입력하세요.</translation>
    </message>
    <message>
        <source>Sign in with your &amp;browser</source>
        <translation>브라우저로 로그인(&amp;B)</translation>
    </message>
    <message>
        <source>Or with your username and password:</source>
        <translation>또는 사용자 이름과 비밀번호로:</translation>
    </message>
    <message>
        <source>Try &amp;again</source>
        <translation>다시 시도(&amp;A)</translation>
    </message>
    <message>
        <source>Se&amp;ttings…</source>
        <translation>설정(&amp;T)…</translation>
    </message>
    <message>
        <source>Sign in with your browser</source>
        <translation>브라우저로 로그인</translation>
    </message>
    <message>
        <source>Opens the sign-in server&apos;s page in your web browser; you come back here signed in.</source>
        <translation>웹 브라우저에서 로그인 서버의 페이지를 엽니다. 로그인하면 이곳으로 돌아옵니다.</translation>
    </message>
    <message>
        <source>Sign in with your username and password</source>
        <translation>사용자 이름과 비밀번호로 로그인</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>다시 시도</translation>
    </message>
    <message>
        <source>Open settings</source>
        <translation>설정 열기</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>취소</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Signs you in once and keeps you signed in. Without --server it starts its bundled demo server.</source>
        <translation>한 번 로그인하면 로그인 상태를 유지합니다. --server가 없으면 내장 데모 서버를 시작합니다.</translation>
    </message>
    <message>
        <source>The server to use.</source>
        <translation>사용할 서버.</translation>
    </message>
    <message>
        <source>OAuth 2.0 token URL.</source>
        <translation>OAuth 2.0 토큰 URL.</translation>
    </message>
    <message>
        <source>OAuth 2.0 client id.</source>
        <translation>OAuth 2.0 클라이언트 ID.</translation>
    </message>
    <message>
        <source>OAuth 2.0 scope.</source>
        <translation>OAuth 2.0 범위.</translation>
    </message>
    <message>
        <source>Access-token lifetime of the bundled server, in seconds (default 30).</source>
        <translation>내장 서버의 액세스 토큰 수명(초, 기본값 30).</translation>
    </message>
    <message>
        <source>SilentAuth</source>
        <translation>SilentAuth</translation>
    </message>
    <message>
        <source>json, oauth2, or oidc (an OpenID provider: sign in with the browser).</source>
        <translation>json, oauth2 또는 oidc (OpenID 제공자: 브라우저로 로그인).</translation>
    </message>
    <message>
        <source>The OpenID provider&apos;s issuer (oidc; default: the server).</source>
        <translation>OpenID 제공자의 발급자 (oidc, 기본값: 서버).</translation>
    </message>
    <message>
        <source>json: where the refresh token travels, body or cookie (an HttpOnly cookie; the bundled server follows).</source>
        <translation>json: 갱신 토큰을 보내는 방식, body 또는 cookie (HttpOnly 쿠키, 내장 서버도 따름).</translation>
    </message>
    <message>
        <source>oidc: the loopback ports for the browser&apos;s way back, in order, for a provider that registers them (default: any free port).</source>
        <translation>oidc: 브라우저가 돌아올 루프백 포트 목록(순서대로). 포트를 등록해야 하는 제공자용입니다(기본값: 비어 있는 아무 포트).</translation>
    </message>
</context>
</TS>
