<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AdministratorPage</name>
    <message>
        <source>The first administrator</source>
        <translation>第一位管理员</translation>
    </message>
    <message>
        <source>The administrator adds the other users and looks after the studies and settings. Finish creates the pharmacy and signs the administrator in.</source>
        <translation>管理员添加其他用户，并负责研究与设置。点击“完成”即建立药房并让管理员登录。</translation>
    </message>
    <message>
        <source>&amp;User name</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <source>Full na&amp;me</source>
        <translation>姓名(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Initials</source>
        <translation>姓名缩写(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <source>Password a&amp;gain</source>
        <translation>再次输入密码(&amp;G)</translation>
    </message>
    <message>
        <source>Initials cannot be made from this name: type them in Initials, 2 to 4 letters A-Z (e.g. the pinyin initials).</source>
        <translation>无法从这个姓名得出姓名缩写：请在“姓名缩写”中输入 2 至 4 个字母 A-Z（例如拼音首字母）。</translation>
    </message>
</context>
<context>
    <name>DatabaseLocationDialog</name>
    <message>
        <source>Change the database location</source>
        <translation>更改数据库位置</translation>
    </message>
    <message>
        <source>Choose the pharmacy&apos;s other database, already set up: its file, or its PostgreSQL server when the pharmacy grows beyond one computer. No records are copied: this workstation opens that database from its next start.</source>
        <translation>请选择药房已建立好的另一个数据库：其文件，或药房扩展到多台计算机时使用的 PostgreSQL 服务器。不会复制任何记录：本工作站从下次启动起打开该数据库。</translation>
    </message>
    <message>
        <source>&amp;Use this database…</source>
        <translation>使用此数据库(&amp;U)…</translation>
    </message>
    <message>
        <source>{database} is a Dispensary database this workstation can open: it opens it from its next start.</source>
        <translation>{database} 是本工作站可以打开的 Dispensary 数据库：将从下次启动起打开它。</translation>
    </message>
</context>
<context>
    <name>Desk</name>
    <message>
        <source>The {language} translation could not be loaded: English is used.</source>
        <translation>无法加载{language}翻译：将使用英文。</translation>
    </message>
    <message>
        <source>Labels printed in an earlier session of yours may wait for their record, but this workstation&apos;s file of them cannot be read: ask the administrator to look at {file}.</source>
        <translation>您先前会话中打印的标签可能仍待记录，但本工作站保存它们的文件无法读取：请管理员检查 {file}。</translation>
    </message>
    <message>
        <source>Labels you printed in {studies} wait for their record, but you cannot open that study now: they stay kept on this workstation until you can (ask the administrator for your access to it).</source>
        <translation>您在 {studies} 中打印的标签仍待记录，但您现在无法打开该研究：这些打印会保留在本工作站，直到您可以打开为止（请向管理员申请该研究的访问权限）。</translation>
    </message>
    <message>
        <source>How your password was last set</source>
        <translation>您的密码最近一次如何设定</translation>
    </message>
    <message>
        <source>Closed by the lock</source>
        <translation>锁定时已关闭</translation>
    </message>
    <message>
        <source>The lock closed {windows}. Nothing typed there was saved: open it again to carry on.</source>
        <translation>锁定关闭了{windows}。其中输入的内容均未保存：请重新打开后继续。</translation>
    </message>
    <message>
        <source>Labels printed by {user} wait for their record, but they could not be kept in this workstation&apos;s file: {user} is to sign in again before the program is closed, or their record is lost.</source>
        <translation>{user} 打印的标签仍待记录，但无法保存到本工作站的文件中：请 {user} 在关闭程序前重新登录，否则其打印记录将丢失。</translation>
    </message>
</context>
<context>
    <name>FirstRun</name>
    <message>
        <source>There is no database at {path}. Check that the drive or folder it is on is available (a network drive may not be connected yet), then start Dispensary again. If it is, ask the administrator which database file this workstation opens.</source>
        <translation>{path} 处没有数据库。请检查它所在的驱动器或文件夹是否可用（网络驱动器可能尚未连接），然后重新启动 Dispensary。如果可用，请询问管理员本工作站应打开哪个数据库文件。</translation>
    </message>
    <message>
        <source>The database could not be opened: an error the program does not know stopped it. Start Dispensary again; if it keeps failing, tell the administrator.</source>
        <translation>无法打开数据库：一个程序无法识别的错误使其中止。请重新启动 Dispensary；如仍失败，请告知管理员。</translation>
    </message>
    <message>
        <source>Dispensary cannot open the database</source>
        <translation>Dispensary 无法打开数据库</translation>
    </message>
</context>
<context>
    <name>LanguagePage</name>
    <message>
        <source>Welcome to Dispensary</source>
        <translation>欢迎使用 Dispensary</translation>
    </message>
    <message>
        <source>This computer has no pharmacy database yet. These pages set one up: where the records are kept, the pharmacy&apos;s name on its labels, the studies it serves and its first administrator. Choose the language of the windows first; each user may choose their own later.</source>
        <translation>这台计算机还没有药房数据库。以下几页将建立一个：记录保存在哪里、标签上的药房名称、药房服务的研究以及第一位管理员。请先选择窗口的语言；之后每位用户可以选择自己的语言。</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言 / Language(&amp;L)</translation>
    </message>
    <message>
        <source>The {language} translation could not be loaded: English is used.</source>
        <translation>无法加载{language}翻译：将使用英文。</translation>
    </message>
</context>
<context>
    <name>LocationPage</name>
    <message>
        <source>Where the records are kept</source>
        <translation>记录保存在哪里</translation>
    </message>
    <message>
        <source>One computer: a database file in this computer&apos;s data folder. Several workstations: a PostgreSQL database on a server they all reach. Next (or Enter) tests it before going on, Test without going on; nothing is created until Finish.</source>
        <translation>一台计算机：使用本机数据文件夹中的数据库文件。多个工作站：使用它们都能访问的服务器上的 PostgreSQL 数据库。点击“下一步”（或按 Enter）会先测试再继续，点击“测试”只测试不继续；点击“完成”之前不会创建任何内容。</translation>
    </message>
    <message>
        <source>{database} already holds a Dispensary database: Finish opens it as it is, for its users to sign in (nothing is set up again).</source>
        <translation>{database} 中已有一个 Dispensary 数据库：点击“完成”将按原样打开它，供其用户登录（不会重新设置任何内容）。</translation>
    </message>
    <message>
        <source>{database} can be used: the new database will be created there.</source>
        <translation>{database} 可以使用：新数据库将建立在那里。</translation>
    </message>
    <message>
        <source>{first} {second}</source>
        <comment>two sentences in a row</comment>
        <translation>{first}{second}</translation>
    </message>
    <message>
        <source>A file named without its folder is kept in this computer&apos;s data folder.</source>
        <translation>未写文件夹的文件名保存在本计算机的数据文件夹中。</translation>
    </message>
</context>
<context>
    <name>LocationPanel</name>
    <message>
        <source>The server&apos;s password is used now but not kept with the location: at each start this computer takes it from its PostgreSQL password file (PGPASSFILE, else ~/.pgpass, or %APPDATA%\postgresql\pgpass.conf on Windows), as psql does.</source>
        <translation>服务器密码仅在此时使用，不随数据库位置保存：本计算机每次启动时从其 PostgreSQL 密码文件读取（PGPASSFILE，否则为 ~/.pgpass，Windows 上为 %APPDATA%\postgresql\pgpass.conf），与 psql 相同。</translation>
    </message>
    <message>
        <source>Pass&amp;word</source>
        <translation>密码(&amp;W)</translation>
    </message>
    <message>
        <source>A &amp;PostgreSQL database (URL)</source>
        <translation>PostgreSQL 数据库（URL）(&amp;P)</translation>
    </message>
    <message>
        <source>A &amp;database file on this computer</source>
        <translation>本机上的数据库文件(&amp;D)</translation>
    </message>
    <message>
        <source>Br&amp;owse…</source>
        <translation>浏览(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Test</source>
        <translation>测试(&amp;T)</translation>
    </message>
    <message>
        <source>Database files (*.sqlite3);;All files (*)</source>
        <translation>数据库文件 (*.sqlite3);;所有文件 (*)</translation>
    </message>
    <message>
        <source>The pharmacy&apos;s database file</source>
        <translation>药房的数据库文件</translation>
    </message>
    <message>
        <source>The new database file</source>
        <translation>新的数据库文件</translation>
    </message>
    <message>
        <source>Give the database&apos;s file or URL.</source>
        <translation>请填写数据库的文件或 URL。</translation>
    </message>
</context>
<context>
    <name>PharmacyPage</name>
    <message>
        <source>The pharmacy</source>
        <translation>药房</translation>
    </message>
    <message>
        <source>Printed on every dispensing label and leaflet, whatever the study. An administrator can change them later (Settings).</source>
        <translation>打印在每张发放标签和受试者说明单上，不论哪项研究。管理员之后可以修改（设置）。</translation>
    </message>
    <message>
        <source>&amp;Pharmacy&apos;s name</source>
        <translation>药房名称(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Address</source>
        <translation>地址(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Telephone</source>
        <translation>电话(&amp;T)</translation>
    </message>
</context>
<context>
    <name>PrintersPage</name>
    <message>
        <source>Label printers</source>
        <translation>标签打印机</translation>
    </message>
    <message>
        <source>Each label stock goes to the printer loaded with it. Print a calibration page to check the labels land in place. An administrator can change this later (Settings, Label printers).</source>
        <translation>每种标签纸对应装有它的打印机。打印一张校准页，检查标签是否打印到位。以后管理员可在“设置”的“标签打印机”中更改。</translation>
    </message>
    <message>
        <source>The printers could not be saved on this workstation. Check that this account may write its settings folder, then try again.</source>
        <translation>无法在此工作站上保存打印机。请确认此账户有权写入其设置文件夹，然后重试。</translation>
    </message>
</context>
<context>
    <name>Screen</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
</context>
<context>
    <name>SetUpWizard</name>
    <message>
        <source>Stop the set-up?</source>
        <translation>停止设置？</translation>
    </message>
    <message>
        <source>The program ends and nothing is created: the answers typed on these pages are lost, and the set-up starts again at the next start.</source>
        <translation>程序将退出，不会创建任何内容：这些页面上填写的内容将丢失，下次启动时重新开始设置。</translation>
    </message>
    <message>
        <source>&amp;Stop the set-up</source>
        <translation>停止设置(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Go on</source>
        <translation>继续设置(&amp;G)</translation>
    </message>
    <message>
        <source>Set up Dispensary</source>
        <translation>设置 Dispensary</translation>
    </message>
    <message>
        <source>Set-up not finished</source>
        <translation>设置未完成</translation>
    </message>
</context>
<context>
    <name>SettingsScreen</name>
    <message>
        <source>Settings of this pharmacy</source>
        <translation>本药房的设置</translation>
    </message>
    <message>
        <source>The pharmacy on its labels</source>
        <translation>标签上的药房信息</translation>
    </message>
    <message>
        <source>Pharmacy&apos;s &amp;name</source>
        <translation>药房名称(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Address</source>
        <translation>地址(&amp;A)</translation>
    </message>
    <message>
        <source>Tele&amp;phone</source>
        <translation>电话(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Save the particulars…</source>
        <translation>保存药房信息(&amp;S)…</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Not set (each user&apos;s own choice)</source>
        <translation>未设置（按各用户自己的选择）</translation>
    </message>
    <message>
        <source>&amp;Windows before sign-in</source>
        <translation>登录前的窗口(&amp;W)</translation>
    </message>
    <message>
        <source>Each user&apos;s own choice (at sign-in) still applies once they are signed in.</source>
        <translation>用户登录后，仍以其本人（在登录时）选择的语言为准。</translation>
    </message>
    <message>
        <source>Save the &amp;language…</source>
        <translation>保存语言(&amp;L)…</translation>
    </message>
    <message>
        <source>Idle lock</source>
        <translation>空闲锁定</translation>
    </message>
    <message>
        <source>&amp;Minutes without use</source>
        <translation>无操作的分钟数(&amp;M)</translation>
    </message>
    <message>
        <source>On every workstation, a signed-in window left this long without a key press or click locks itself, from each user&apos;s next sign-in. It is never off: {low} to {high} minutes.</source>
        <translation>在每台工作站上，已登录的窗口在此时间内无按键或点击即自动锁定，自每位用户下次登录起生效。该锁定不可关闭：{low} 至 {high} 分钟。</translation>
    </message>
    <message>
        <source>Save the &amp;idle lock time…</source>
        <translation>保存空闲锁定时间(&amp;I)…</translation>
    </message>
    <message>
        <source>Label printers of this workstation</source>
        <translation>本工作站的标签打印机</translation>
    </message>
    <message>
        <source>Change the la&amp;bel printers…</source>
        <translation>更改标签打印机(&amp;B)…</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <source>Change the &amp;database location…</source>
        <translation>更改数据库位置(&amp;D)…</translation>
    </message>
    <message>
        <source>Not set yet: the labels print the study file&apos;s pharmacy name ({name}).</source>
        <translation>尚未设置：标签打印研究文件中的药房名称（{name}）。</translation>
    </message>
    <message>
        <source>This computer: {name}</source>
        <translation>本计算机：{name}</translation>
    </message>
    <message>
        <source>None: preview, then the print dialog</source>
        <translation>无：先预览，再用打印对话框</translation>
    </message>
    <message>
        <source>In use now: {database}</source>
        <translation>当前使用：{database}</translation>
    </message>
    <message>
        <source>At its next start this workstation opens {database}.</source>
        <translation>本工作站下次启动时将打开 {database}。</translation>
    </message>
    <message>
        <source>Why? The change and its reason are kept in the audit trail.</source>
        <translation>原因是什么？此更改及其原因将记入稽查轨迹。</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Change the pharmacy&apos;s particulars</source>
        <translation>修改药房信息</translation>
    </message>
    <message>
        <source>Saved: the next labels name {name}.</source>
        <translation>已保存：此后的标签将印有 {name}。</translation>
    </message>
    <message>
        <source>Change the pharmacy&apos;s language</source>
        <translation>修改药房的语言</translation>
    </message>
    <message>
        <source>Saved: the sign-in window opens in {language}.</source>
        <translation>已保存：登录窗口将以{language}显示。</translation>
    </message>
    <message>
        <source>Change the idle lock time</source>
        <translation>修改空闲锁定时间</translation>
    </message>
    <message>
        <source>Saved: from each user&apos;s next sign-in, a window left {minutes} minutes without use locks itself.</source>
        <translation>已保存：自每位用户下次登录起，窗口 {minutes} 分钟无操作即自动锁定。</translation>
    </message>
    <message>
        <source>Change the label printers</source>
        <translation>更改标签打印机</translation>
    </message>
    <message>
        <source>Saved: this workstation prints its labels on the printers chosen; the change is in the audit trail.</source>
        <translation>已保存：本工作站将在所选打印机上打印标签；此更改已记入稽查轨迹。</translation>
    </message>
    <message>
        <source>Change the database location</source>
        <translation>更改数据库位置</translation>
    </message>
    <message>
        <source>Saved: this workstation opens {database} from its next start; close the program and start it again to use it. Until then it keeps using {current}.</source>
        <translation>已保存：本工作站从下次启动起打开 {database}；请关闭程序并重新启动以使用它。在此之前仍使用 {current}。</translation>
    </message>
</context>
<context>
    <name>SiteKeyBox</name>
    <message>
        <source>Site key of this workstation</source>
        <translation>本工作站的站点密钥</translation>
    </message>
    <message>
        <source>It signs the anchor log at each backup: a log rewritten along with the database then fails its signature. Keep the key away from the database and the backups (removable media, or a protected folder).</source>
        <translation>每次备份时，它为锚点日志签名：与数据库一起被改写的日志将无法通过签名验证。请把密钥与数据库和备份分开保存（移动存储介质，或受保护的文件夹）。</translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation>指纹</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>密钥</translation>
    </message>
    <message>
        <source>Public file</source>
        <translation>公钥文件</translation>
    </message>
    <message>
        <source>&amp;Use an existing key file…</source>
        <translation>使用现有密钥文件(&amp;U)…</translation>
    </message>
    <message>
        <source>&amp;Create a new site key…</source>
        <translation>创建新的站点密钥(&amp;C)…</translation>
    </message>
    <message>
        <source>None set: the anchor log&apos;s lines are not signed on this workstation.</source>
        <translation>未设置：此工作站的锚点日志行未签名。</translation>
    </message>
    <message>
        <source>None beside the key: keep the one made with it.</source>
        <translation>密钥旁没有公钥文件：请保存与密钥一同生成的那个。</translation>
    </message>
    <message>
        <source>Site keys (*.pem);;All files (*)</source>
        <translation>站点密钥 (*.pem);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Why? The change and its reason are kept in the audit trail.</source>
        <translation>原因是什么？此更改及其原因将记入稽查轨迹。</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Where the new site key goes</source>
        <translation>新站点密钥的保存位置</translation>
    </message>
    <message>
        <source>Create a new site key</source>
        <translation>创建新的站点密钥</translation>
    </message>
    <message>
        <source>Saved: each backup&apos;s line in the anchor log is signed with the site key {fingerprint}. Put a copy of {public} and the fingerprint in the site&apos;s quality binder; keep the key itself away from the database and the backups.</source>
        <translation>已保存：每次备份在锚点日志中的行都将由站点密钥 {fingerprint} 签名。请把 {public} 的副本和指纹放入研究中心的质量文件夹；密钥本身须与数据库和备份分开保存。</translation>
    </message>
    <message>
        <source>The site key file to use</source>
        <translation>要使用的站点密钥文件</translation>
    </message>
    <message>
        <source>Use an existing site key</source>
        <translation>使用现有站点密钥</translation>
    </message>
    <message>
        <source>Saved: each backup&apos;s line in the anchor log is signed with the site key {fingerprint}; the change is in the audit trail.</source>
        <translation>已保存：每次备份在锚点日志中的行都将由站点密钥 {fingerprint} 签名；此更改已记入稽查轨迹。</translation>
    </message>
</context>
<context>
    <name>StudiesPage</name>
    <message>
        <source>The studies</source>
        <translation>研究</translation>
    </message>
    <message>
        <source>Tick each study this pharmacy serves. The first ticked is the one the windows open in; more can be added later (Studies).</source>
        <translation>勾选本药房服务的每项研究。窗口将在勾选的第一项研究中打开；之后可以再添加（研究）。</translation>
    </message>
    <message>
        <source>Add a &amp;file…</source>
        <translation>添加文件(&amp;F)…</translation>
    </message>
    <message>
        <source>{protocol}: {title}</source>
        <translation>{protocol}：{title}</translation>
    </message>
    <message>
        <source>A study file</source>
        <translation>研究文件</translation>
    </message>
    <message>
        <source>Study files (*.toml);;All files (*)</source>
        <translation>研究文件 (*.toml);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>Workstation</name>
    <message>
        <source>The database was upgraded to this version of Dispensary (from schema {schema}). The file as it was before the upgrade is kept at {path}.</source>
        <translation>数据库已升级到此版本的 Dispensary（原结构版本 {schema}）。升级前的文件保存在 {path}。</translation>
    </message>
    <message>
        <source>The database was upgraded to this version of Dispensary (from schema {schema}).</source>
        <translation>数据库已升级到此版本的 Dispensary（原结构版本 {schema}）。</translation>
    </message>
</context>
</TS>
