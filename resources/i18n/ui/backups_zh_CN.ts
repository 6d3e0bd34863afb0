<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>BackupsReader</name>
    <message>
        <source>The backups could not be read. Open the screen again; if it keeps failing, tell the administrator.</source>
        <translation>无法读取备份。请重新打开此界面；如仍失败，请告知管理员。</translation>
    </message>
</context>
<context>
    <name>BackupsScreen</name>
    <message>
        <source>As written</source>
        <translation>与写出时一致</translation>
    </message>
    <message>
        <source>Holds its code</source>
        <translation>仍含其校验码</translation>
    </message>
    <message>
        <source>Changed since written</source>
        <translation>写出后已改变</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <source>Not checked</source>
        <translation>未核对</translation>
    </message>
    <message>
        <source>CHAIN BROKEN: audit trail did not verify — kept as evidence, not for restore</source>
        <translation>链已损坏：稽查轨迹核验未通过——作为证据保留，不用于恢复</translation>
    </message>
    <message>
        <source>Its size and SHA-256 are those listed when the program wrote it.</source>
        <translation>其大小和 SHA-256 与程序写出时记录的一致。</translation>
    </message>
    <message>
        <source>Its last audit entry is still the verification code logged when it was made.</source>
        <translation>其最后一条稽查轨迹条目仍是备份时记录的校验码。</translation>
    </message>
    <message>
        <source>It is not the file written (changed since, or it cannot be read): do not restore it; keep it for investigation.</source>
        <translation>它已不是写出时的文件（此后被改动，或无法读取）：请勿恢复此备份；将其保留以供调查。</translation>
    </message>
    <message>
        <source>It is not at the place logged: moved, removed, or on removable media not plugged in.</source>
        <translation>它不在记录的位置：已被移动、删除，或在未插入的移动存储介质上。</translation>
    </message>
    <message>
        <source>No verification code was logged to check it by.</source>
        <translation>没有记录可用于核对它的校验码。</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>By hand</source>
        <translation>手动</translation>
    </message>
    <message>
        <source>{value} kB</source>
        <translation>{value} kB</translation>
    </message>
    <message>
        <source>{time} (file&apos;s time)</source>
        <translation>{time}（文件时间）</translation>
    </message>
    <message>
        <source>No audit entry records this copy: the time shown is when its file was last changed, not a time recorded when it was written.</source>
        <translation>稽查轨迹中没有记录此副本的条目：所示时间是其文件最后修改的时间，而非写出时记录的时间。</translation>
    </message>
    <message>
        <source>Backups of this database</source>
        <translation>本数据库的备份</translation>
    </message>
    <message>
        <source>Checking backups…</source>
        <translation>正在核对备份…</translation>
    </message>
    <message>
        <source>Back up &amp;now…</source>
        <translation>立即备份(&amp;N)…</translation>
    </message>
    <message>
        <source>Copies the database into a folder you choose; the backup is recorded in the audit trail and its verification code in the anchor log</source>
        <translation>将数据库复制到您选择的文件夹；该备份记入稽查轨迹，其校验码记入锚点日志</translation>
    </message>
    <message>
        <source>Only these roles make a backup by hand: {roles}.</source>
        <translation>只有以下角色可以手动备份：{roles}。</translation>
    </message>
    <message>
        <source>Restoring a backup</source>
        <translation>恢复备份</translation>
    </message>
    <message>
        <source>A backup is restored with the program closed: the restore is refused while any window, on this or another workstation, has the database open. Close Dispensary everywhere, then run the command below in a terminal. It asks for your password, checks the backup, keeps the current database whole beside it (NAME.replaced-&lt;time&gt;.sqlite3) and records the restore in the audit trail.</source>
        <translation>恢复备份须在程序关闭时进行：只要本工作站或其他工作站有任何窗口打开着该数据库，恢复即被拒绝。请在所有工作站关闭 Dispensary，然后在终端中运行下面的命令。它会要求输入您的密码，核对备份，将当前数据库完整保留在其旁（NAME.replaced-&lt;时间&gt;.sqlite3），并将此次恢复记入稽查轨迹。</translation>
    </message>
    <message>
        <source>Only these roles restore a backup: {roles}. A backup is restored with the program closed on every workstation; to have one restored, tell them which backup (its file and verification code) and why.</source>
        <translation>只有以下角色可以恢复备份：{roles}。恢复备份须在所有工作站关闭程序后进行；如需恢复某个备份，请告知他们是哪个备份（其文件和校验码）以及原因。</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>原因(&amp;R)</translation>
    </message>
    <message>
        <source>Why the database is restored, e.g. damaged by a power cut</source>
        <translation>恢复数据库的原因，例如：停电导致损坏</translation>
    </message>
    <message>
        <source>Command line of the restore</source>
        <translation>恢复命令行</translation>
    </message>
    <message>
        <source>&amp;Copy the command</source>
        <translation>复制命令(&amp;C)</translation>
    </message>
    <message>
        <source>Backup folder: {folder}</source>
        <translation>备份文件夹：{folder}</translation>
    </message>
    <message>
        <source>No backup of this database is kept here: a database server is backed up with its own tools (pg_dump; see docs/INSTALL.md).</source>
        <translation>此处未保存此数据库的备份：数据库服务器用其自带的工具备份（pg_dump；见 docs/INSTALL.md）。</translation>
    </message>
    <message>
        <source>A database server is restored with its own tools: pg_restore the dump into a new database, check it with `dispensary --db URL audit verify`, then point the workstations at it (docs/INSTALL.md, &apos;Restoring a PostgreSQL database&apos;).</source>
        <translation>数据库服务器需用其自带工具恢复：用 pg_restore 将转储导入新数据库，用 `dispensary --db URL audit verify` 核验，然后将各工作站指向该数据库（见 docs/INSTALL.md 的“Restoring a PostgreSQL database”）。</translation>
    </message>
    <message>
        <source>No backup of this database yet: the first sign-in of each day makes one in {folder}.</source>
        <translation>本数据库尚无备份：每天首次登录时会在 {folder} 中生成一份。</translation>
    </message>
    <message>
        <source>Select a backup in the list.</source>
        <translation>请在列表中选择一个备份。</translation>
    </message>
    <message>
        <source>Type the reason above: the command for this backup is shown here.</source>
        <translation>请先在上方输入原因：此备份的命令随后显示在这里。</translation>
    </message>
    <message>
        <source>The command is copied. Close Dispensary on every workstation, then paste it into a terminal.</source>
        <translation>命令已复制。请在所有工作站关闭 Dispensary，然后将其粘贴到终端中。</translation>
    </message>
    <message>
        <source>The folder the backup goes in</source>
        <translation>备份存放的文件夹</translation>
    </message>
    <message>
        <source>Backup written: {path} ({value} kB).</source>
        <translation>已写出备份：{path}（{value} kB）。</translation>
    </message>
    <message>
        <source>Verification code {code}, added to the anchor log {log} and to {own}.</source>
        <translation>校验码 {code}，已添加到锚点日志 {log} 和 {own}。</translation>
    </message>
    <message>
        <source>Verification code {code}, added to the anchor log {log}.</source>
        <translation>校验码 {code}，已添加到锚点日志 {log}。</translation>
    </message>
</context>
<context>
    <name>Column</name>
    <message>
        <source>Written</source>
        <translation>写出时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Verification code</source>
        <translation>校验码</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
</context>
<context>
    <name>Screen</name>
    <message>
        <source>Backups</source>
        <translation>备份</translation>
    </message>
</context>
</TS>
