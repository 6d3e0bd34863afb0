<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AdherenceChart</name>
    <message>
        <source>Adherence % per cycle (limits {under}, {over} dashed)</source>
        <translation>各周期依从性 %（界限 {under}、{over}，虚线）</translation>
    </message>
    <message>
        <source>Within limits</source>
        <translation>界限内</translation>
    </message>
    <message>
        <source>Under-use</source>
        <translation>用药不足</translation>
    </message>
    <message>
        <source>Over-use</source>
        <translation>用药过量</translation>
    </message>
    <message>
        <source>C{cycle}</source>
        <translation>C{cycle}</translation>
    </message>
</context>
<context>
    <name>BackupThread</name>
    <message>
        <source>The automatic backup failed: {error}</source>
        <translation>自动备份失败：{error}</translation>
    </message>
    <message>
        <source>It will be tried again at the next sign-in. Tell the administrator.</source>
        <translation>下次登录时将再次尝试备份。请告知管理员。</translation>
    </message>
    <message>
        <source>The automatic backup failed. It will be tried again at the next sign-in. Tell the administrator.</source>
        <translation>自动备份失败。下次登录时将再次尝试备份。请告知管理员。</translation>
    </message>
    <message>
        <source>Today&apos;s backup saved: {path}</source>
        <translation>今日备份已保存：{path}</translation>
    </message>
</context>
<context>
    <name>ChangePasswordDialog</name>
    <message>
        <source>Change my password</source>
        <translation>修改我的密码</translation>
    </message>
    <message>
        <source>at least 8 characters</source>
        <translation>至少 8 个字符</translation>
    </message>
    <message>
        <source>the same again</source>
        <translation>再次输入相同密码</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>当前密码</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>Repeat it</source>
        <translation>再次输入</translation>
    </message>
    <message>
        <source>&amp;Change password</source>
        <translation>修改密码(&amp;C)</translation>
    </message>
    <message>
        <source>The two passwords differ; type them again.</source>
        <translation>两次输入的密码不一致；请重新输入。</translation>
    </message>
</context>
<context>
    <name>Column</name>
    <message>
        <source>Study number</source>
        <translation>受试者编号</translation>
    </message>
    <message>
        <source>Initials</source>
        <translation>姓名缩写</translation>
    </message>
    <message>
        <source>Enrolled</source>
        <translation>入组日期</translation>
    </message>
    <message>
        <source>Study</source>
        <translation>研究</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>应发</translation>
    </message>
    <message>
        <source>Returns due</source>
        <translation>待退药</translation>
    </message>
    <message>
        <source>Expiring</source>
        <translation>将过期</translation>
    </message>
    <message>
        <source>To review</source>
        <translation>待审核</translation>
    </message>
    <message>
        <source>Short stock</source>
        <translation>库存短缺</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>逾期</translation>
    </message>
    <message>
        <source>Last cycle</source>
        <translation>最近周期</translation>
    </message>
    <message>
        <source>Last day 1</source>
        <translation>最近第1天</translation>
    </message>
    <message>
        <source>Next due</source>
        <translation>下次发放</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>退药</translation>
    </message>
    <message>
        <source>Cycle</source>
        <translation>周期</translation>
    </message>
    <message>
        <source>Dispense</source>
        <translation>发放编号</translation>
    </message>
    <message>
        <source>Day 1</source>
        <translation>第1天</translation>
    </message>
    <message>
        <source>Dose</source>
        <translation>剂量</translation>
    </message>
    <message>
        <source>Kits</source>
        <translation>药盒</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>药品</translation>
    </message>
    <message>
        <source>Tablets</source>
        <translation>片数</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>已退回</translation>
    </message>
    <message>
        <source>Taken</source>
        <translation>已服</translation>
    </message>
    <message>
        <source>Expected</source>
        <translation>应服</translation>
    </message>
    <message>
        <source>Adherence</source>
        <translation>依从性</translation>
    </message>
    <message>
        <source>Flags</source>
        <translation>标记</translation>
    </message>
    <message>
        <source>Kit</source>
        <translation>药盒</translation>
    </message>
    <message>
        <source>Counted</source>
        <translation>盘点数</translation>
    </message>
    <message>
        <source>Book</source>
        <translation>账面数</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>差异</translation>
    </message>
    <message>
        <source>Ledger adjusted</source>
        <translation>台账已调整</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Account</source>
        <translation>账户</translation>
    </message>
    <message>
        <source>Sign-in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Password
set</source>
        <translation>密码设置日期</translation>
    </message>
    <message>
        <source>The day the password was last set (for the review of passwords)</source>
        <translation>最近一次设置密码的日期（用于定期审查密码）</translation>
    </message>
    <message>
        <source>Studies</source>
        <translation>研究</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>What it says</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>By</source>
        <translation>经办人</translation>
    </message>
    <message>
        <source>On</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>方案</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Participants</source>
        <translation>受试者</translation>
    </message>
    <message>
        <source>Loaded</source>
        <translation>载入时间</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>关闭时间</translation>
    </message>
    <message>
        <source>Why closed</source>
        <translation>关闭原因</translation>
    </message>
</context>
<context>
    <name>CorrectEnrolmentDialog</name>
    <message>
        <source>Correct the enrolment of {number}</source>
        <translation>更正 {number} 的入组信息</translation>
    </message>
    <message>
        <source>{number} ({initials}), born {year}, enrolled {date}. Change what was recorded wrongly: the audit trail keeps the value recorded, the corrected one and the reason, with your signature.</source>
        <translation>{number}（{initials}），{year} 年出生，{date} 入组。请修改记录错误的内容：稽查轨迹会保留原记录值、更正后的值和原因，以及您的签名。</translation>
    </message>
    <message>
        <source>2 to 4 letters; no names</source>
        <translation>2 至 4 个字母；不填姓名</translation>
    </message>
    <message>
        <source>e.g. 1968</source>
        <translation>如 1968</translation>
    </message>
    <message>
        <source>e.g. enrolment typed in on a later day; see the log</source>
        <translation>如：入组信息于日后补录；见入组登记表</translation>
    </message>
    <message>
        <source>Enrolment date</source>
        <translation>入组日期</translation>
    </message>
    <message>
        <source>Initials</source>
        <translation>姓名缩写</translation>
    </message>
    <message>
        <source>Year of birth</source>
        <translation>出生年份</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>&amp;Correct and sign...</source>
        <translation>更正并签名(&amp;C)...</translation>
    </message>
    <message>
        <source>Nothing was saved: the study file of {protocol} was updated after this window was opened. It was read again (version {version}) with the correction as typed: check it again before signing.</source>
        <translation>未保存任何内容：{protocol} 的研究文件在本窗口打开后已更新。已按输入的更正内容重新读取（第 {version} 版）：签名前请重新检查本次更正。</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>{field}: {old} to {new}</source>
        <translation>{field}：由 {old} 改为 {new}</translation>
    </message>
    <message>
        <source>year of birth</source>
        <translation>出生年份</translation>
    </message>
    <message>
        <source>Correction of the enrolment of {number}: {changes}</source>
        <translation>更正 {number} 的入组信息：{changes}</translation>
    </message>
</context>
<context>
    <name>CorrectReturnDialog</name>
    <message>
        <source>Correct a return count of {dispense}</source>
        <translation>更正 {dispense} 的退药清点数</translation>
    </message>
    <message>
        <source>Cycle {cycle} ({dispense}). The correction replaces the count recorded: the audit trail keeps both, the reason and your signature.</source>
        <translation>第 {cycle} 周期（{dispense}）。更正将取代已登记的清点数：稽查轨迹保留两者、原因及您的签名。</translation>
    </message>
    <message>
        <source>Return {number}: kit {kit}, {count}</source>
        <translation>退药 {number}：药盒 {kit}，{count}</translation>
    </message>
    <message>
        <source>not brought back</source>
        <translation>未带回</translation>
    </message>
    <message>
        <source>the count found</source>
        <translation>实际清点数</translation>
    </message>
    <message>
        <source>e.g. recounted with the monitor</source>
        <translation>例如：与监查员一起重新清点</translation>
    </message>
    <message>
        <source>Replace the held period recorded</source>
        <translation>替换原登记的暂停期</translation>
    </message>
    <message>
        <source>the investigator who ordered it</source>
        <translation>下达暂停医嘱的研究者</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>退药</translation>
    </message>
    <message>
        <source>Correct count</source>
        <translation>正确的清点数</translation>
    </message>
    <message>
        <source>Return date</source>
        <translation>退药日期</translation>
    </message>
    <message>
        <source>Held from</source>
        <translation>暂停起始日期</translation>
    </message>
    <message>
        <source>Held until</source>
        <translation>暂停截止日期</translation>
    </message>
    <message>
        <source>Hold ordered by</source>
        <translation>暂停医嘱人</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>&amp;Correct and sign...</source>
        <translation>更正并签名(&amp;C)...</translation>
    </message>
    <message>
        <source>count</source>
        <translation>清点数</translation>
    </message>
    <message>
        <source>Return {number} of kit {kit} ({dispense}) corrected from {old} to {new}: {reason}</source>
        <translation>药盒 {kit}（{dispense}）的退药 {number} 清点数由 {old} 更正为 {new}：{reason}</translation>
    </message>
</context>
<context>
    <name>CorrectStatusDialog</name>
    <message>
        <source>Correct the status change of {number}</source>
        <translation>更正 {number} 的状态变更</translation>
    </message>
    <message>
        <source>{number} ({initials}) is recorded as &lt;b&gt;{status}&lt;/b&gt; from {date}. Give the status and the date as they should have been recorded; the status before the change withdraws it as recorded in error.</source>
        <translation>{number}（{initials}）记录为自 {date} 起&lt;b&gt;{status}&lt;/b&gt;。请填写本应记录的状态和日期；选择变更前的状态即作为误录撤回该变更。</translation>
    </message>
    <message>
        <source>e.g. 2026-12-01 typed for 2026-11-21</source>
        <translation>例如：把 2026-11-21 录成了 2026-12-01</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>&amp;Correct and sign...</source>
        <translation>更正并签名(&amp;C)...</translation>
    </message>
    <message>
        <source>Status change of {number} corrected: {status}, effective {date}</source>
        <translation>{number} 的状态变更已更正：{status}，生效日期 {date}</translation>
    </message>
</context>
<context>
    <name>CountScreen</name>
    <message>
        <source>Physical count (blind)</source>
        <translation>实物盘点（盲盘）</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>盘点</translation>
    </message>
    <message>
        <source>Scan the kit barcode</source>
        <translation>扫描药盒条码</translation>
    </message>
    <message>
        <source>Tablets you counted</source>
        <translation>您盘点的片数</translation>
    </message>
    <message>
        <source>&amp;Enter count</source>
        <translation>录入盘点数(&amp;E)</translation>
    </message>
    <message>
        <source>Against the book</source>
        <translation>与账面核对</translation>
    </message>
    <message>
        <source>Choose a reason code</source>
        <translation>选择原因代码</translation>
    </message>
    <message>
        <source>What happened, in a few words</source>
        <translation>简述发生了什么</translation>
    </message>
    <message>
        <source>User name of the person who checked the count</source>
        <translation>核对人的用户名</translation>
    </message>
    <message>
        <source>Counts recorded at this workstation since sign-in</source>
        <translation>本工作站自登录以来记录的盘点</translation>
    </message>
    <message>
        <source>Counts you record this session are listed here; every count is in the reconciliation&apos;s Physical count tab and the audit trail.</source>
        <translation>本次登录后记录的盘点列于此处；所有盘点均可在对账的“盘点”标签页和稽查轨迹中查看。</translation>
    </message>
    <message>
        <source>Finish or cancel the count of {kit} first, then scan {scanned} again.</source>
        <translation>请先完成或取消 {kit} 的盘点，然后再次扫描 {scanned}。</translation>
    </message>
    <message>
        <source>Scan a kit, count its tablets and type the number. Your count is signed and recorded before the book balance is shown.</source>
        <translation>扫描药盒，盘点片数并输入数字。盘点数先签名并记录，之后才显示账面结存。</translation>
    </message>
    <message>
        <source>Scan a kit, count what it holds and type the number. Your count is signed and recorded before the book balance is shown.</source>
        <translation>扫描药盒，盘点其中药物的数量并输入数字。盘点数先签名并记录，之后才显示账面结存。</translation>
    </message>
    <message>
        <source>&amp;Kit</source>
        <translation>药盒(&amp;K)</translation>
    </message>
    <message>
        <source>Reason co&amp;de</source>
        <translation>原因代码(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>原因(&amp;R)</translation>
    </message>
    <message>
        <source>Second &amp;person</source>
        <translation>核对人(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Sign and adjust the book...</source>
        <translation>签名并调整账面(&amp;S)...</translation>
    </message>
    <message>
        <source>Count &amp;again</source>
        <translation>重新盘点(&amp;A)</translation>
    </message>
    <message>
        <source>Type a new count of the kit; it is recorded as a recount, not blind</source>
        <translation>输入此药盒新的盘点数；记录为复盘，而非盲盘</translation>
    </message>
    <message>
        <source>&amp;Leave it open</source>
        <translation>暂不处理(&amp;L)</translation>
    </message>
    <message>
        <source>The count stays recorded, not adjusted; the reconciliation lists it</source>
        <translation>盘点保持已记录、未调整；对账将其列出</translation>
    </message>
    <message>
        <source>Count of kit {kit} left open: it stays recorded as counted, not adjusted, and the reconciliation lists it to review until the kit is counted again or the difference adjusted.</source>
        <translation>药盒 {kit} 的盘点暂不处理：按盘点数保持已记录、未调整；在重新盘点该药盒或调整差异之前，对账将其列为待审核。</translation>
    </message>
    <message>
        <source>Count kit {kit} again and type the number: it is recorded as a recount, the count before it kept.</source>
        <translation>请重新盘点药盒 {kit} 并输入数字：记录为复盘，之前的盘点保留。</translation>
    </message>
    <message>
        <source>{units} you counted</source>
        <translation>您盘点的{units}数</translation>
    </message>
    <message>
        <source>Quantity you counted</source>
        <translation>您盘点的数量</translation>
    </message>
    <message>
        <source>the next kit</source>
        <translation>下一个药盒</translation>
    </message>
    <message>
        <source>Kit {kit}: count its tablets and type the number.</source>
        <translation>药盒 {kit}：请盘点片数并输入数字。</translation>
    </message>
    <message>
        <source>Kit {kit}: count its {units} and type the number.</source>
        <translation>药盒 {kit}：请盘点{units}数并输入数字。</translation>
    </message>
    <message>
        <source>Type the number of tablets you counted first.</source>
        <translation>请先输入您盘点的片数。</translation>
    </message>
    <message>
        <source>Type the number of {units} you counted first.</source>
        <translation>请先输入您盘点的{units}数。</translation>
    </message>
    <message>
        <source>number of tablets counted</source>
        <translation>盘点片数</translation>
    </message>
    <message>
        <source>number of {units} counted</source>
        <translation>盘点{units}数</translation>
    </message>
    <message>
        <source>Counted {counted}, book {book}: difference {difference}</source>
        <translation>盘点 {counted}，账面 {book}：差异 {difference}</translation>
    </message>
    <message>
        <source>Count of kit {kit} recorded as counted ({counted}); it differs from the book by {difference}. Adjust the book (reason code, reason, second person, then sign), count the kit again, or leave it open.</source>
        <translation>药盒 {kit} 的盘点已按盘点数记录（{counted}）；与账面相差 {difference}。请调整账面（原因代码、原因、核对人，然后签名）、重新盘点该药盒，或暂不处理。</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>Count of kit {kit}: {counted} tablets</source>
        <translation>药盒 {kit} 盘点：{counted} 片</translation>
    </message>
    <message>
        <source>Count of kit {kit}: {counted}</source>
        <translation>药盒 {kit} 盘点：{counted}</translation>
    </message>
    <message>
        <source>Count of kit {kit} recorded: {counted}{note}. Scan the next kit.</source>
        <translation>药盒 {kit} 的盘点已记录：{counted}{note}。请扫描下一个药盒。</translation>
    </message>
    <message>
        <source>Still needed: {needs}.</source>
        <translation>尚需：{needs}。</translation>
    </message>
    <message>
        <source>Tablets &amp;counted</source>
        <translation>盘点片数(&amp;C)</translation>
    </message>
    <message>
        <source>{units} &amp;counted</source>
        <translation>盘点{units}数(&amp;C)</translation>
    </message>
    <message>
        <source>Quantity &amp;counted</source>
        <translation>盘点数量(&amp;C)</translation>
    </message>
    <message>
        <source>Everything the difference needs is given: sign.</source>
        <translation>差异所需信息已齐全：请签名。</translation>
    </message>
    <message>
        <source>The count differs from the book. It needs {needed}; then you sign, and the second person signs with their own user name and password.</source>
        <translation>盘点数与账面不符。需要：{needed}；然后由您签名，再由核对人用其本人的用户名和密码签名。</translation>
    </message>
    <message>
        <source>The count differs from the book and everything the difference needs is given: sign to record it.</source>
        <translation>盘点数与账面不符，差异所需信息已齐全：请签名记录。</translation>
    </message>
    <message>
        <source>Count of kit {kit}: {counted} tablets (book {book})</source>
        <translation>药盒 {kit} 盘点：{counted} 片（账面 {book}）</translation>
    </message>
    <message>
        <source>Count of kit {kit}: {counted} (book {book})</source>
        <translation>药盒 {kit} 盘点：{counted}（账面 {book}）</translation>
    </message>
    <message>
        <source>Nothing adjusted: the second person did not sign. The count stays recorded as counted.</source>
        <translation>未调整账面：核对人未签名。盘点仍按盘点数记录。</translation>
    </message>
    <message>
        <source>; the ledger was adjusted by {difference}</source>
        <translation>；台账已调整 {difference}</translation>
    </message>
    <message>
        <source>, no change</source>
        <translation>，无变动</translation>
    </message>
    <message>
        <source>Count of kit {kit} recorded: {counted} tablets{note}. Scan the next kit.</source>
        <translation>药盒 {kit} 的盘点已记录：{counted} 片{note}。请扫描下一个药盒。</translation>
    </message>
</context>
<context>
    <name>DashboardScreen</name>
    <message>
        <source>1 kit</source>
        <translation>1 盒</translation>
    </message>
    <message>
        <source>{n} kits</source>
        <translation>{n} 盒</translation>
    </message>
    <message>
        <source>records: TAMPERING OR DAMAGE FOUND (see the red banner and To review)</source>
        <translation>记录：发现篡改或损坏（见红色横幅及“待审核”）</translation>
    </message>
    <message>
        <source>records verified in full ({n} audit entries)</source>
        <translation>记录已完整核验（{n} 条稽查轨迹条目）</translation>
    </message>
    <message>
        <source>{n} new audit entries verified since the last check (earlier ones not checked again)</source>
        <translation>自上次核验以来 {n} 条新稽查轨迹条目已核验（之前的记录未再次核验）</translation>
    </message>
    <message>
        <source>{n} new audit entries verified since the full check of {date}</source>
        <translation>自 {date} 完整核验以来，{n} 条新稽查轨迹条目已核验</translation>
    </message>
    <message>
        <source>closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>open</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在核查…</translation>
    </message>
    <message>
        <source>Stock against the next cycles</source>
        <translation>库存与后续周期需求</translation>
    </message>
    <message>
        <source>Due for their next cycle this week</source>
        <translation>本周应发下一周期</translation>
    </message>
    <message>
        <source>Returns not yet recorded</source>
        <translation>尚未记录的退药</translation>
    </message>
    <message>
        <source>Kits expiring within 90 days</source>
        <translation>90 天内过期的药盒</translation>
    </message>
    <message>
        <source>Supply forecast</source>
        <translation>供药预测</translation>
    </message>
    <message>
        <source>All your studies</source>
        <translation>您的全部研究</translation>
    </message>
    <message>
        <source>Reading the figures of every study…</source>
        <translation>正在读取各研究的数据…</translation>
    </message>
    <message>
        <source>Figures as of {time}</source>
        <translation>数据截至 {time}</translation>
    </message>
    <message>
        <source>No figures yet</source>
        <translation>暂无数据</translation>
    </message>
    <message>
        <source>{figures} — checking…</source>
        <translation>{figures} — 正在核查…</translation>
    </message>
    <message>
        <source>Today, {weekday} {date} — {protocol}, {title}</source>
        <translation>今日，{weekday} {date} — {protocol}，{title}</translation>
    </message>
    <message>
        <source>CHAIN BROKEN: the audit trail does not verify, so the figures below may not be those recorded. {finding} Verify chain on the Audit trail screen lists every finding.</source>
        <translation>链已损坏：稽查轨迹核验未通过，下列数字可能并非所记录的数字。{finding}“稽查轨迹”界面的“校验哈希链”会列出全部发现。</translation>
    </message>
    <message>
        <source>… and {n} more</source>
        <translation>……另有 {n} 项</translation>
    </message>
    <message>
        <source>{product} — {on_hand} on hand, {needed} needed for the next cycles</source>
        <translation>{product} — 现有 {on_hand}，后续周期需要 {needed}</translation>
    </message>
    <message>
        <source>{product} — 1 more kit held for a count difference, not counted as stock: count it again, or record the adjustment with a reason (Physical count, Ctrl+7)</source>
        <translation>{product} — 另有 1 盒因盘点差异被暂扣，不计入库存：请重新盘点，或登记调整并说明原因（盘点，Ctrl+7）</translation>
    </message>
    <message>
        <source>{product} — {n} more kits held for a count difference, not counted as stock: count them again, or record the adjustments with a reason (Physical count, Ctrl+7)</source>
        <translation>{product} — 另有 {n} 盒因盘点差异被暂扣，不计入库存：请重新盘点，或登记调整并说明原因（盘点，Ctrl+7）</translation>
    </message>
    <message>
        <source>{product} — 1 more kit in quarantine, awaiting the sponsor&apos;s decision, not counted as stock: ask the sponsor, then release or destroy it (Inventory)</source>
        <translation>{product} — 另有 1 盒处于隔离中，待申办方决定，不计入库存：请询问申办方，然后解除隔离或销毁（库存）</translation>
    </message>
    <message>
        <source>{product} — {n} more kits in quarantine, awaiting the sponsor&apos;s decision, not counted as stock: ask the sponsor, then release or destroy them (Inventory)</source>
        <translation>{product} — 另有 {n} 盒处于隔离中，待申办方决定，不计入库存：请询问申办方，然后解除隔离或销毁（库存）</translation>
    </message>
    <message>
        <source>Some stock is short of the next cycles&apos; need, with kits held for a count difference: settle their counts (count again or adjust), or order or receive stock.</source>
        <translation>部分库存不足以满足后续周期需求，且有药盒因盘点差异被暂扣：请处理其盘点（重新盘点或调整），或订购或接收药品。</translation>
    </message>
    <message>
        <source>Some stock is short of the next cycles&apos; need, with kits in quarantine: ask the sponsor&apos;s decision on them, or order or receive stock.</source>
        <translation>部分库存不足以满足后续周期需求，且有药盒处于隔离中：请询问申办方对其的决定，或订购或接收药品。</translation>
    </message>
    <message>
        <source>Some stock is short of the next cycles&apos; need: order or receive stock.</source>
        <translation>部分库存不足以满足后续周期需求：请订购或接收药品。</translation>
    </message>
    <message>
        <source>No kit has been received in this study yet, and nobody is on treatment.</source>
        <translation>本研究尚未接收任何药盒，也没有治疗中的受试者。</translation>
    </message>
    <message>
        <source>Nobody on treatment has a cycle to come: no stock is needed for now.</source>
        <translation>治疗中的受试者都没有待发放的周期：目前无需库存。</translation>
    </message>
    <message>
        <source>On-hand stock covers the next cycle of everyone on treatment.</source>
        <translation>现有库存足以满足所有治疗中受试者的下一周期。</translation>
    </message>
    <message>
        <source>{number} ({initials}) — cycle {cycle} overdue since {date}</source>
        <translation>{number}（{initials}）— 第 {cycle} 周期，自 {date} 起逾期</translation>
    </message>
    <message>
        <source>{number} ({initials}) — cycle {cycle} from {date}</source>
        <translation>{number}（{initials}）— 第 {cycle} 周期，{date} 起</translation>
    </message>
    <message>
        <source>1 participant due within a week.</source>
        <translation>一周内有 1 名受试者应发放下一周期。</translation>
    </message>
    <message>
        <source>{n} participants due within a week.</source>
        <translation>一周内有 {n} 名受试者应发放下一周期。</translation>
    </message>
    <message>
        <source>{kit} — lot {lot}, expires {date} ({days} days), in quarantine: the sponsor&apos;s decision is due before then</source>
        <translation>{kit} — 批号 {lot}，有效期至 {date}（{days} 天），隔离中：须在过期前取得申办方的决定</translation>
    </message>
    <message>
        <source>{n} kit on the shelf expires within 90 days: use it first or set it aside.</source>
        <translation>架上 {n} 盒药品将在 90 天内过期：请优先使用或另行存放。</translation>
    </message>
    <message>
        <source>{n} kits on the shelf expire within 90 days: use them first or set them aside.</source>
        <translation>架上 {n} 盒药品将在 90 天内过期：请优先使用或另行存放。</translation>
    </message>
    <message>
        <source>{n} kit in quarantine expires within 90 days: ask the sponsor&apos;s decision on it before it expires.</source>
        <translation>{n} 盒隔离中的药品将在 90 天内过期：请在过期前询问申办方的决定。</translation>
    </message>
    <message>
        <source>{n} kits in quarantine expire within 90 days: ask the sponsor&apos;s decision on them before they expire.</source>
        <translation>{n} 盒隔离中的药品将在 90 天内过期：请在过期前询问申办方的决定。</translation>
    </message>
    <message>
        <source>1 finding for the reconciliation.</source>
        <translation>对账有 1 项发现。</translation>
    </message>
    <message>
        <source>{n} findings for the reconciliation.</source>
        <translation>对账有 {n} 项发现。</translation>
    </message>
    <message>
        <source>Nothing to review: the books balance.</source>
        <translation>无待审核项：账目平衡。</translation>
    </message>
    <message>
        <source>Nobody is due for a cycle this week.</source>
        <translation>本周无受试者应发放下一周期。</translation>
    </message>
    <message>
        <source>To review</source>
        <translation>待审核</translation>
    </message>
    <message>
        <source>{product} — {on_hand} on hand, of which {usable} can serve a cycle started today; {needed} needed for the next cycles</source>
        <translation>{product} — 现有 {on_hand}，其中 {usable} 盒可供今天开始的周期使用；后续周期需要 {needed}</translation>
    </message>
    <message>
        <source>{dispense} — {number} ({initials}) cycle {cycle}, supply to {date}</source>
        <translation>{dispense} — {number}（{initials}）第 {cycle} 周期，用药至 {date}</translation>
    </message>
    <message>
        <source>1 return due: the supply has ended and no return is recorded.</source>
        <translation>1 次待退药：用药期已结束，尚未登记退药。</translation>
    </message>
    <message>
        <source>{n} returns due: the supply has ended and no return is recorded.</source>
        <translation>{n} 次待退药：用药期已结束，尚未登记退药。</translation>
    </message>
    <message>
        <source>Every return due is recorded.</source>
        <translation>所有到期的退药均已登记。</translation>
    </message>
    <message>
        <source>{kit} — lot {lot}, expires {date} ({days} days)</source>
        <translation>{kit} — 批号 {lot}，有效期至 {date}（{days} 天）</translation>
    </message>
    <message>
        <source>No kit on the shelf expires within 90 days.</source>
        <translation>架上没有 90 天内过期的药盒。</translation>
    </message>
</context>
<context>
    <name>DashboardWorker</name>
    <message>
        <source>The figures could not be read. Open the screen again; if it keeps failing, tell the administrator.</source>
        <translation>无法读取数据。请重新打开此界面；如仍失败，请告知管理员。</translation>
    </message>
</context>
<context>
    <name>EnrolDialog</name>
    <message>
        <source>Enrol a participant in {protocol}</source>
        <translation>受试者入组 {protocol}</translation>
    </message>
    <message>
        <source>As on the enrolment log, e.g. 01-003</source>
        <translation>与入组登记表一致，如 01-003</translation>
    </message>
    <message>
        <source>2 to 4 letters; no names</source>
        <translation>2 至 4 个字母；不填姓名</translation>
    </message>
    <message>
        <source>e.g. 1968</source>
        <translation>如 1968</translation>
    </message>
    <message>
        <source>Choose...</source>
        <translation>请选择...</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>女</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>男</translation>
    </message>
    <message>
        <source>The investigator who confirmed it, e.g. {name}</source>
        <translation>确认合格的研究者，例如 {name}</translation>
    </message>
    <message>
        <source>The investigator who confirmed it</source>
        <translation>确认合格的研究者</translation>
    </message>
    <message>
        <source>Study number</source>
        <translation>受试者编号</translation>
    </message>
    <message>
        <source>Initials</source>
        <translation>姓名缩写</translation>
    </message>
    <message>
        <source>Year of birth</source>
        <translation>出生年份</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>性别</translation>
    </message>
    <message>
        <source>Enrolment date</source>
        <translation>入组日期</translation>
    </message>
    <message>
        <source>Eligibility confirmed by</source>
        <translation>入选资格确认人</translation>
    </message>
    <message>
        <source>Eligibility checklist: tick each item the investigator confirmed</source>
        <translation>入选资格核对表：勾选研究者确认的每一项</translation>
    </message>
    <message>
        <source>&lt;b&gt;Inclusion criteria — tick to confirm the participant meets:&lt;/b&gt;</source>
        <translation>&lt;b&gt;入选标准 — 勾选以确认受试者符合：&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Exclusion criteria — tick to confirm the participant does &lt;u&gt;NOT&lt;/u&gt; have:&lt;/b&gt;</source>
        <translation>&lt;b&gt;排除标准 — 勾选以确认受试者&lt;u&gt;不&lt;/u&gt;存在：&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&amp;Enrol</source>
        <translation>入组(&amp;E)</translation>
    </message>
    <message>
        <source>Nothing was saved: the study file of {protocol} was updated after this window was opened. It was read again (version {version}): check the enrolment and the eligibility checklist again before enrolling.</source>
        <translation>未保存任何内容：{protocol} 的研究文件在本窗口打开后已更新。已重新读取（第 {version} 版）：入组前请重新检查本次入组和入选资格核对表。</translation>
    </message>
    <message>
        <source>Not: {criterion}</source>
        <translation>无：{criterion}</translation>
    </message>
    <message>
        <source>{done} of {total} confirmed</source>
        <translation>已确认 {done}/{total} 项</translation>
    </message>
    <message>
        <source>; and {n} more</source>
        <translation>；另有 {n} 项</translation>
    </message>
    <message>
        <source>{missing} of {total} eligibility criteria are not confirmed: {names}{more}. Tick each one the investigator confirmed; a participant who does not meet them all is not enrolled.</source>
        <translation>{total} 项入选资格标准中有 {missing} 项未确认：{names}{more}。请勾选研究者确认的每一项；不符合全部标准的受试者不能入组。</translation>
    </message>
    <message>
        <source>year of birth</source>
        <translation>出生年份</translation>
    </message>
    <message>
        <source>Same initials and year of birth in another study</source>
        <translation>其他研究中有相同缩写和出生年份的受试者</translation>
    </message>
    <message>
        <source>&amp;Enrol all the same</source>
        <translation>仍然入组(&amp;E)</translation>
    </message>
    <message>
        <source>Age confirmed: &amp;enrol</source>
        <translation>年龄已确认：入组(&amp;E)</translation>
    </message>
    <message>
        <source>Confirm the age</source>
        <translation>确认年龄</translation>
    </message>
</context>
<context>
    <name>ForecastChart</name>
    <message>
        <source>Kits usable: of the kits on hand at the week&apos;s start, those the week&apos;s cycles can be given: the kits they take and, in a week that is not short, the kits left that last for a cycle starting on any day of the week: a full kit always, a part-used kit when it holds at least what a coming cycle needs beyond its full kits. Kits short: kits needed less kits usable.</source>
        <translation>可用药盒：每周开始时的现有药盒中，本周各周期可以发放的药盒：各周期取用的药盒，以及在不短缺的一周，剩余的、有效期足够本周任何一天开始的周期使用的药盒：整盒药盒总是可用；已部分使用的药盒，所含数量不少于即将开始的周期在整盒之外还需要的数量时可用。短缺药盒：所需药盒减去可用药盒。</translation>
    </message>
    <message>
        <source>Kits needed, on hand and usable, week by week</source>
        <translation>逐周所需药盒、现有药盒与可用药盒</translation>
    </message>
    <message>
        <source>Kits needed</source>
        <translation>所需药盒</translation>
    </message>
    <message>
        <source>Kits on hand</source>
        <translation>现有药盒</translation>
    </message>
    <message>
        <source>Kits usable</source>
        <translation>可用药盒</translation>
    </message>
    <message>
        <source>Kits short</source>
        <translation>短缺药盒</translation>
    </message>
    <message>
        <source>W{week}&lt;br&gt;{date}</source>
        <translation>第{week}周&lt;br&gt;{date}</translation>
    </message>
    <message>
        <source>Kits</source>
        <translation>药盒</translation>
    </message>
    <message>
        <source>First short week: {week}</source>
        <translation>首个短缺周：第{week}周</translation>
    </message>
</context>
<context>
    <name>ForecastSection</name>
    <message>
        <source>No kit on hand and no cycle to supply in the next {weeks} weeks: nothing to forecast yet.</source>
        <translation>现无库存药盒，未来{weeks}周内也没有需要供药的周期：暂无可预测的内容。</translation>
    </message>
    <message>
        <source>No cycle to supply in the next {weeks} weeks: the stock on hand is not needed yet.</source>
        <translation>未来{weeks}周内没有需要供药的周期：现有库存暂不需要。</translation>
    </message>
    <message>
        <source>The stock on hand covers every cycle of the next {weeks} weeks.</source>
        <translation>现有库存可满足未来{weeks}周内的所有周期。</translation>
    </message>
    <message>
        <source>Stock falls short in week {week} (from {date}) of {product}.</source>
        <translation>{product}将在第{week}周（自{date}起）短缺。</translation>
    </message>
    <message>
        <source>Order {kits} kit of {product} by {date} (already late: order now).</source>
        <translation>请于{date}前订购{product} {kits}盒（已逾期：请立即订购）。</translation>
    </message>
    <message>
        <source>Order {kits} kits of {product} by {date} (already late: order now).</source>
        <translation>请于{date}前订购{product} {kits}盒（已逾期：请立即订购）。</translation>
    </message>
    <message>
        <source>Order {kits} kit of {product} by {date}.</source>
        <translation>请于{date}前订购{product} {kits}盒。</translation>
    </message>
    <message>
        <source>Order {kits} kits of {product} by {date}.</source>
        <translation>请于{date}前订购{product} {kits}盒。</translation>
    </message>
    <message>
        <source>Kit {kits} is held for a count difference and not counted as stock: count it again, or record the adjustment (Physical count, Ctrl+7).</source>
        <translation>药盒 {kits} 因盘点差异被暂扣，不计入库存：请重新盘点，或登记调整（盘点，Ctrl+7）。</translation>
    </message>
    <message>
        <source>{n} kits held for a count difference ({kits}) are not counted as stock: count them again, or record the adjustments (Physical count, Ctrl+7).</source>
        <translation>{n} 盒药因盘点差异被暂扣（{kits}），不计入库存：请重新盘点，或登记调整（盘点，Ctrl+7）。</translation>
    </message>
    <message>
        <source>1 kit in quarantine, awaiting the sponsor&apos;s decision, is not counted as stock.</source>
        <translation>1 盒处于隔离中，待申办方决定，不计入库存。</translation>
    </message>
    <message>
        <source>{n} kits in quarantine, awaiting the sponsor&apos;s decision, are not counted as stock.</source>
        <translation>{n} 盒处于隔离中，待申办方决定，不计入库存。</translation>
    </message>
    <message>
        <source>{n} kit will expire unused.</source>
        <translation>{n}盒药将过期未用。</translation>
    </message>
    <message>
        <source>{n} kits will expire unused.</source>
        <translation>{n}盒药将过期未用。</translation>
    </message>
</context>
<context>
    <name>KitsBackDialog</name>
    <message>
        <source>Scan each kit (K1234)</source>
        <translation>逐一扫描药盒（K1234）</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>Locked by {name}</source>
        <translation>已由 {name} 锁定</translation>
    </message>
    <message>
        <source>Locked after inactivity</source>
        <translation>因长时间无操作已锁定</translation>
    </message>
    <message>
        <source>{why}. {name}, type your password to carry on where you were; someone else signing in closes this session.</source>
        <translation>{why}。{name}，请输入密码继续之前的工作；其他人登录将关闭此会话。</translation>
    </message>
    <message>
        <source>Un&amp;lock</source>
        <translation>解锁(&amp;L)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>dispensing label</source>
        <translation>发放标签</translation>
    </message>
    <message>
        <source>participant</source>
        <translation>受试者</translation>
    </message>
    <message>
        <source>kit</source>
        <translation>药盒</translation>
    </message>
    <message>
        <source>Dispensary — {study}</source>
        <translation>Dispensary — {study}</translation>
    </message>
    <message>
        <source>Scan</source>
        <translation>扫码</translation>
    </message>
    <message>
        <source>Scan any kit, dispensing label or participant (Ctrl+L)</source>
        <translation>扫描任意药盒、发放标签或受试者（Ctrl+L）</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Lock</source>
        <translation>锁定(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Sign out</source>
        <translation>退出登录(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Scan field</source>
        <translation>扫码框(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;About Dispensary</source>
        <translation>关于 Dispensary(&amp;A)</translation>
    </message>
    <message>
        <source>{name} ({initials}) — {role}</source>
        <translation>{name}（{initials}）— {role}</translation>
    </message>
    <message>
        <source>Study {protocol}</source>
        <translation>研究 {protocol}</translation>
    </message>
    <message>
        <source>Database {path}</source>
        <translation>数据库 {path}</translation>
    </message>
    <message>
        <source>S&amp;tudy</source>
        <translation>研究(&amp;T)</translation>
    </message>
    <message>
        <source>The study you work in (Ctrl+Shift+S)</source>
        <translation>您当前工作的研究（Ctrl+Shift+S）</translation>
    </message>
    <message>
        <source>Change my &amp;password…</source>
        <translation>修改我的密码(&amp;P)…</translation>
    </message>
    <message>
        <source>Switch s&amp;tudy</source>
        <translation>切换研究(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Pharmacist&apos;s guide</source>
        <translation>药师指南(&amp;P)</translation>
    </message>
    <message>
        <source>A&amp;dministrator&apos;s guide</source>
        <translation>管理员指南(&amp;D)</translation>
    </message>
    <message>
        <source>{study} (closed: read only)</source>
        <translation>{study}（已关闭：只读）</translation>
    </message>
    <message>
        <source>{protocol} — {title}</source>
        <translation>{protocol} — {title}</translation>
    </message>
    <message>
        <source>{study} (closed)</source>
        <translation>{study}（已关闭）</translation>
    </message>
    <message>
        <source>{withdrawn} Switched to study {protocol}: {title}.</source>
        <translation>{withdrawn}已切换到研究 {protocol}：{title}。</translation>
    </message>
    <message>
        <source>The study file of {protocol} was updated (version {version}): every screen now works with it.</source>
        <translation>{protocol} 的研究文件已更新（第 {version} 版）：所有界面现按新文件工作。</translation>
    </message>
    <message>
        <source>Switched to study {protocol}: {code} is of that study.</source>
        <translation>已切换到研究 {protocol}：{code} 属于该研究。</translation>
    </message>
    <message>
        <source>Switched to study {protocol}: {title}.</source>
        <translation>已切换到研究 {protocol}：{title}。</translation>
    </message>
    <message>
        <source>The study is closed: its records are read only.</source>
        <translation>该研究已关闭：其记录只读。</translation>
    </message>
    <message>
        <source>{role}s do not use the {screen} screen.</source>
        <translation>{role}不使用“{screen}”界面。</translation>
    </message>
    <message>
        <source>Nothing here opens &apos;{kind}&apos;.</source>
        <translation>此处无法打开“{kind}”。</translation>
    </message>
    <message>
        <source>&apos;{code}&apos; is not a kit, dispensing label or participant of this study.</source>
        <translation>“{code}”不是本研究的药盒、发放标签或受试者。</translation>
    </message>
    <message>
        <source>{ref} is a {what}; your role does not open it.</source>
        <translation>{ref} 是{what}；您的角色无权打开。</translation>
    </message>
    <message>
        <source>{code} — refused on the {screen} screen</source>
        <translation>{code} — 在“{screen}”界面被拒绝</translation>
    </message>
    <message>
        <source>Scan field</source>
        <translation>扫码框</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Refresh the screen shown</source>
        <translation>刷新当前界面</translation>
    </message>
    <message>
        <source>Switch study</source>
        <translation>切换研究</translation>
    </message>
    <message>
        <source>In a scan field: take the code</source>
        <translation>在扫码框中：读取条码</translation>
    </message>
    <message>
        <source>Sign / receive on the screen shown</source>
        <translation>在当前界面签名 / 接收</translation>
    </message>
    <message>
        <source>Start the screen&apos;s form over</source>
        <translation>重新开始当前界面的表单</translation>
    </message>
    <message>
        <source>In a date field: open the calendar</source>
        <translation>在日期框中：打开日历</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Dispensary {version}</source>
        <translation>Dispensary {version}</translation>
    </message>
    <message>
        <source>Investigational drug accountability</source>
        <translation>试验用药品管理</translation>
    </message>
    <message>
        <source>Database: {database} ({engine})</source>
        <translation>数据库：{database}（{engine}）</translation>
    </message>
    <message>
        <source>Study files loaded:</source>
        <translation>已载入的研究文件：</translation>
    </message>
    <message>
        <source>  {protocol} version {version}, loaded {day} — {title}</source>
        <translation>  {protocol} 第 {version} 版，{day} 载入 — {title}</translation>
    </message>
    <message>
        <source>  none that you may see</source>
        <translation>  没有您可查看的研究</translation>
    </message>
    <message>
        <source>Python {python}, Qt {qt}, PySide6 {pyside}</source>
        <translation>Python {python}，Qt {qt}，PySide6 {pyside}</translation>
    </message>
    <message>
        <source>Fonts: WenQuanYi Micro Hei (Apache License 2.0)</source>
        <translation>字体：文泉驿微米黑（Apache License 2.0）</translation>
    </message>
    <message>
        <source>About Dispensary</source>
        <translation>关于 Dispensary</translation>
    </message>
    <message>
        <source>Your password is changed.</source>
        <translation>您的密码已修改。</translation>
    </message>
    <message>
        <source>Not recorded in the audit trail: {message}</source>
        <translation>未记入稽查轨迹：{message}</translation>
    </message>
    <message>
        <source>Not discarded (the database refused to note it in the audit trail; the print still waits): {what}: {why}</source>
        <translation>未放弃（数据库拒绝将放弃记入稽查轨迹；此次打印仍待记录）：{what}：{why}</translation>
    </message>
    <message>
        <source>Not recorded: {what}: {why}</source>
        <translation>未记录：{what}：{why}</translation>
    </message>
    <message>
        <source>Labels printed wait for their record, but this workstation&apos;s file of them cannot be written: record them before the program is closed, or ask the administrator to look at {file}.</source>
        <translation>已打印的标签仍待记录，但本工作站保存它们的文件无法写入：请在关闭程序前记录它们，或请管理员检查 {file}。</translation>
    </message>
    <message>
        <source>Labels printed in your last session are not yet recorded in the audit trail: {prints}. Press Record the print on the Receive or Dispense screen (they are not printed again).</source>
        <translation>您上次登录期间打印的标签尚未记入稽查轨迹：{prints}。请在“接收”或“发放”界面按“记录此次打印”（标签不会再次打印）。</translation>
    </message>
    <message>
        <source>Labels printed in your last session are not yet recorded in the audit trail: {prints}. They are recorded as you sign out, once the database takes them (you are asked then; they are not printed again).</source>
        <translation>您上次登录期间打印的标签尚未记入稽查轨迹：{prints}。数据库可以记录时，将在您退出登录时记录（届时会询问您；标签不会再次打印）。</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
</context>
<context>
    <name>ParticipantsScreen</name>
    <message>
        <source>under-use</source>
        <translation>用药不足</translation>
    </message>
    <message>
        <source>over-use</source>
        <translation>用药过量</translation>
    </message>
    <message>
        <source>not-brought-back</source>
        <translation>未带回</translation>
    </message>
    <message>
        <source>overdue</source>
        <translation>逾期</translation>
    </message>
    <message>
        <source>due</source>
        <translation>待退药</translation>
    </message>
    <message>
        <source>not yet due</source>
        <translation>未到退药时间</translation>
    </message>
    <message>
        <source>voided {day} by {name}</source>
        <translation>{day} 由 {name} 作废</translation>
    </message>
    <message>
        <source>{name} ({initials})</source>
        <translation>{name}（{initials}）</translation>
    </message>
    <message>
        <source>Cycle {cycle} ({dispense}): dispensed by {pharmacist}, checked by {checker}.</source>
        <translation>第 {cycle} 周期（{dispense}）：发放人 {pharmacist}，核对人 {checker}。</translation>
    </message>
    <message>
        <source>Cycle {cycle} ({dispense}): dispensed by {pharmacist}; no second check.</source>
        <translation>第 {cycle} 周期（{dispense}）：发放人 {pharmacist}；无第二人核对。</translation>
    </message>
    <message>
        <source>Enrolment date</source>
        <translation>入组日期</translation>
    </message>
    <message>
        <source>Participants of {protocol}</source>
        <translation>{protocol} 受试者</translation>
    </message>
    <message>
        <source>Number or initials</source>
        <translation>受试者编号或姓名缩写</translation>
    </message>
    <message>
        <source>&amp;Enrol participant...</source>
        <translation>受试者入组(&amp;E)...</translation>
    </message>
    <message>
        <source>Change st&amp;atus...</source>
        <translation>更改状态(&amp;A)...</translation>
    </message>
    <message>
        <source>&amp;Correct enrolment...</source>
        <translation>更正入组信息(&amp;C)...</translation>
    </message>
    <message>
        <source>Correct stat&amp;us change...</source>
        <translation>更正状态变更(&amp;U)...</translation>
    </message>
    <message>
        <source>&amp;Void enrolment...</source>
        <translation>作废入组(&amp;V)...</translation>
    </message>
    <message>
        <source>&amp;Dispense next cycle</source>
        <translation>发放下一周期(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>搜索(&amp;S)</translation>
    </message>
    <message>
        <source>Select a participant to see the dispensing history.</source>
        <translation>选择受试者以查看发放记录。</translation>
    </message>
    <message>
        <source>Dispensing history</source>
        <translation>发放记录</translation>
    </message>
    <message>
        <source>Adherence chart</source>
        <translation>依从性图表</translation>
    </message>
    <message>
        <source>Corrections and status changes</source>
        <translation>更正及状态变更</translation>
    </message>
    <message>
        <source>Vo&amp;id dispense...</source>
        <translation>作废发放(&amp;I)...</translation>
    </message>
    <message>
        <source>Correct &amp;return count...</source>
        <translation>更正退药清点数(&amp;R)...</translation>
    </message>
    <message>
        <source>{n} due for their next cycle this week</source>
        <translation>本周应发下一周期：{n} 名受试者</translation>
    </message>
    <message>
        <source>{n} with a return due</source>
        <translation>待退药：{n} 名受试者</translation>
    </message>
    <message>
        <source>&amp;Void enrolment</source>
        <translation>作废入组(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Kits are back</source>
        <translation>药盒已回到药房(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Void dispense</source>
        <translation>作废发放(&amp;V)</translation>
    </message>
    <message>
        <source>Only the participants the Today screen lists. Untick to list every participant.</source>
        <translation>只列出“今日”屏幕所列的受试者。取消勾选可列出全部受试者。</translation>
    </message>
    <message>
        <source>; &lt;b&gt;&lt;span style=&apos;color:#c62828&apos;&gt;return overdue&lt;/span&gt;&lt;/b&gt;</source>
        <translation>；&lt;b&gt;&lt;span style=&apos;color:#c62828&apos;&gt;退药逾期&lt;/span&gt;&lt;/b&gt;</translation>
    </message>
    <message>
        <source>; return due</source>
        <translation>；待退药</translation>
    </message>
    <message>
        <source>Nothing changed in the record since enrolment.</source>
        <translation>入组后记录未作任何更改。</translation>
    </message>
    <message>
        <source>Next: cycle {cycle}, {when}{pending}.</source>
        <translation>下一次：第 {cycle} 周期，{when}{pending}。</translation>
    </message>
    <message>
        <source>any time</source>
        <translation>随时</translation>
    </message>
    <message>
        <source>Next: cycle {cycle}, from {when}{pending}.</source>
        <translation>下一次：第 {cycle} 周期，{when} 起{pending}。</translation>
    </message>
    <message>
        <source>No further cycles{pending}.</source>
        <translation>无后续周期{pending}。</translation>
    </message>
    <message>
        <source>&lt;b&gt;{number}&lt;/b&gt; ({initials}), born {year}, {status}, enrolled {date}. {following}</source>
        <translation>&lt;b&gt;{number}&lt;/b&gt;（{initials}），{year} 年出生，{status}，{date} 入组。{following}</translation>
    </message>
    <message>
        <source>&lt;b&gt;Record changed {count} time(s) since enrolment&lt;/b&gt;: see Corrections and status changes.</source>
        <translation>&lt;b&gt;入组后记录已更改 {count} 次&lt;/b&gt;：见“更正及状态变更”。</translation>
    </message>
    <message>
        <source>reason: {reason}</source>
        <translation>原因：{reason}</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#c62828&apos;&gt;no reason recorded yet (record it under Reconciliation)&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#c62828&apos;&gt;尚未记录原因（请在“对账”中记录）&lt;/span&gt;</translation>
    </message>
    <message>
        <source>Cycle {cycle} ({dispense}): &lt;b&gt;{flags}&lt;/b&gt;; {taken}; {reason}</source>
        <translation>第 {cycle} 周期（{dispense}）：&lt;b&gt;{flags}&lt;/b&gt;；{taken}；{reason}</translation>
    </message>
    <message>
        <source>Cycle {cycle} ({dispense}): &lt;b&gt;{flags}&lt;/b&gt;; taken {taken} of {expected} expected; {reason}</source>
        <translation>第 {cycle} 周期（{dispense}）：&lt;b&gt;{flags}&lt;/b&gt;；应服 {expected}，已服 {taken}；{reason}</translation>
    </message>
    <message>
        <source>No adherence flags.</source>
        <translation>无依从性标记。</translation>
    </message>
    <message>
        <source>{product} taken {taken} of {expected} expected</source>
        <translation>{product}：应服 {expected}，已服 {taken}</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Participant {number} ({initials}) enrolled on {date}.</source>
        <translation>受试者 {number}（{initials}）已于 {date} 入组。</translation>
    </message>
    <message>
        <source>Participant {number} is now {status}.</source>
        <translation>受试者 {number} 现为{status}。</translation>
    </message>
    <message>
        <source>Status change of {number} corrected: {status}.</source>
        <translation>{number} 的状态变更已更正：{status}。</translation>
    </message>
    <message>
        <source>Enrolment of {number} corrected: {initials}, born {year}, enrolled {date}.</source>
        <translation>已更正 {number} 的入组信息：{initials}，{year} 年出生，{date} 入组。</translation>
    </message>
    <message>
        <source>Void the enrolment of {number}</source>
        <translation>作废 {number} 的入组</translation>
    </message>
    <message>
        <source>Void the enrolment of {number} ({initials}) as entered in error? Only while nothing has been dispensed to the participant. The participant leaves the lists and counts; the history and the audit trail keep the enrolment, voided. Why was it entered in error?</source>
        <translation>将 {number}（{initials}）的入组作为误录作废？仅限尚未向该受试者发放任何药物时。该受试者将不再出现在列表和计数中；历史记录和稽查轨迹保留此入组，标为已作废。为何误录？</translation>
    </message>
    <message>
        <source>Enrolment of {number} voided as entered in error: {reason}</source>
        <translation>{number} 的入组作为误录作废：{reason}</translation>
    </message>
    <message>
        <source>Enrolment of {number} ({initials}) voided as entered in error.</source>
        <translation>{number}（{initials}）的入组已作为误录作废。</translation>
    </message>
    <message>
        <source>Void dispense {dispense}</source>
        <translation>作废发放 {dispense}</translation>
    </message>
    <message>
        <source>Dispense {dispense} was made on {day}, {ago}: its kits ({kits}) may have left the pharmacy with {participant}. Void it only if every kit is back in the pharmacy: scan each kit&apos;s barcode. If the participant has the kits, do not void: record their return instead.</source>
        <translation>发放记录 {dispense} 发放于 {day}（{ago}）：其药盒（{kits}）可能已随 {participant} 离开药房。只有每个药盒都已回到药房时才能作废：请逐一扫描药盒的条码。如果药盒在受试者手中，请不要作废：改为登记其退药。</translation>
    </message>
    <message>
        <source>yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <source>{days} days ago</source>
        <translation>{days} 天前</translation>
    </message>
    <message>
        <source>Void dispense {dispense} (cycle {cycle} of {participant}) as made in error? Only while its kits never left the pharmacy: they go back to stock, and the cycle can be dispensed again. The history keeps the dispense, marked voided. Why was it made in error?</source>
        <translation>将发放 {dispense}（{participant} 第 {cycle} 周期）作为误操作作废？仅限药盒从未离开药房时：药盒回到库存，该周期可重新发放。历史记录保留该次发放，并标记为已作废。为何属于误操作？</translation>
    </message>
    <message>
        <source>Dispense {dispense} (cycle {cycle} of {participant}) voided: {reason}</source>
        <translation>发放 {dispense}（{participant} 第 {cycle} 周期）已作废：{reason}</translation>
    </message>
    <message>
        <source>Dispense {dispense} voided; back in stock: {kits}.</source>
        <translation>发放 {dispense} 已作废；已回到库存：{kits}。</translation>
    </message>
    <message>
        <source>No return of {dispense} is recorded: there is no count to correct.</source>
        <translation>{dispense} 尚未登记退药：没有可更正的清点数。</translation>
    </message>
    <message>
        <source>Count of kit {kit} ({dispense}) corrected to {count}: return {number}.</source>
        <translation>药盒 {kit}（{dispense}）的清点数已更正为 {count}：退药 {number}。</translation>
    </message>
</context>
<context>
    <name>Screen</name>
    <message>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <source>Participants</source>
        <translation>受试者</translation>
    </message>
    <message>
        <source>Physical count</source>
        <translation>盘点</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Study rules</source>
        <translation>研究规则</translation>
    </message>
    <message>
        <source>Studies</source>
        <translation>研究</translation>
    </message>
</context>
<context>
    <name>SignInForm</name>
    <message>
        <source>user name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>&amp;User name</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>密码(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;New password</source>
        <translation>新密码(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Repeat it</source>
        <translation>再次输入(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Set my password</source>
        <translation>设置我的密码(&amp;S)</translation>
    </message>
    <message>
        <source>Opening the &amp;database…</source>
        <translation>正在打开数据库(&amp;D)…</translation>
    </message>
    <message>
        <source>&amp;Sign in</source>
        <translation>登录(&amp;S)</translation>
    </message>
    <message>
        <source>That looked like a scan: type your password.</source>
        <translation>这看起来像是扫码：请输入密码。</translation>
    </message>
    <message>
        <source>Type your user name.</source>
        <translation>请输入用户名。</translation>
    </message>
    <message>
        <source>An administrator set this password. Choose your own now: at least 8 characters, not a common one, not your user name.</source>
        <translation>此密码由管理员设置。请立即设置您自己的密码：至少 8 个字符，不能是常用密码，也不能是您的用户名。</translation>
    </message>
    <message>
        <source>The two passwords differ: type them again.</source>
        <translation>两次输入的密码不一致：请重新输入。</translation>
    </message>
</context>
<context>
    <name>SignInWindow</name>
    <message>
        <source>Dispensary — sign in</source>
        <translation>Dispensary — 登录</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言 / Language(&amp;L)</translation>
    </message>
    <message>
        <source>Database: {path}</source>
        <translation>数据库：{path}</translation>
    </message>
    <message>
        <source>Dispensary</source>
        <translation>Dispensary 临床试验药房</translation>
    </message>
    <message>
        <source>{site}, {pharmacy}</source>
        <translation>{site}，{pharmacy}</translation>
    </message>
    <message>
        <source>The {language} translation could not be loaded: English is used.</source>
        <translation>无法加载{language}翻译：将使用英文。</translation>
    </message>
</context>
<context>
    <name>StatusDialog</name>
    <message>
        <source>Status of {number}</source>
        <translation>{number} 的状态</translation>
    </message>
    <message>
        <source>{number} ({initials}) is now &lt;b&gt;{status}&lt;/b&gt;.</source>
        <translation>{number}（{initials}）目前为&lt;b&gt;{status}&lt;/b&gt;。</translation>
    </message>
    <message>
        <source>Kits still out for return: &lt;b&gt;{kits}&lt;/b&gt;. Record their return as usual.</source>
        <translation>尚未退回的药盒：&lt;b&gt;{kits}&lt;/b&gt;。请照常登记退回。</translation>
    </message>
    <message>
        <source>No kit is out for return.</source>
        <translation>没有尚未退回的药盒。</translation>
    </message>
    <message>
        <source>e.g. withdrew consent; completed 8 cycles</source>
        <translation>如：撤回知情同意；已完成 8 个周期</translation>
    </message>
    <message>
        <source>New status</source>
        <translation>新状态</translation>
    </message>
    <message>
        <source>&amp;Change status and sign...</source>
        <translation>变更状态并签名(&amp;C)...</translation>
    </message>
    <message>
        <source>Choose the new status.</source>
        <translation>请选择新状态。</translation>
    </message>
    <message>
        <source>Status of {number}: {old} to {new}, effective {date}</source>
        <translation>{number} 的状态：由“{old}”改为“{new}”，自 {date} 起生效</translation>
    </message>
</context>
<context>
    <name>StatusForm</name>
    <message>
        <source>Choose the new status</source>
        <translation>选择新状态</translation>
    </message>
    <message>
        <source>Effective date</source>
        <translation>生效日期</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
</context>
<context>
    <name>StudiesScreen</name>
    <message>
        <source>closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>open</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>Studies of this pharmacy</source>
        <translation>本药房的研究</translation>
    </message>
    <message>
        <source>Each study&apos;s kits, participants and records are its own. You work in one study at a time: choose it here, in the toolbar or with Ctrl+Shift+S.</source>
        <translation>每个研究的药盒、受试者和记录各自独立。您一次在一个研究中工作：可在此处、工具栏或按 Ctrl+Shift+S 选择。</translation>
    </message>
    <message>
        <source>Selected study</source>
        <translation>所选研究</translation>
    </message>
    <message>
        <source>&amp;Work in this study</source>
        <translation>在此研究中工作(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Add a study from its file…</source>
        <translation>从研究文件添加研究(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Update study file…</source>
        <translation>更新研究文件(&amp;U)…</translation>
    </message>
    <message>
        <source>Loads an amended file of the study you work in (as the command `dispensary study update` does); the old file is kept in the audit trail.</source>
        <translation>载入当前工作研究的修订版文件（与命令 `dispensary study update` 相同）；旧文件保留在稽查轨迹中。</translation>
    </message>
    <message>
        <source>&amp;Close the study…</source>
        <translation>关闭研究(&amp;C)…</translation>
    </message>
    <message>
        <source>Select a study in the list.</source>
        <translation>请在列表中选择一个研究。</translation>
    </message>
    <message>
        <source>{protocol}: {title} (version {version}, {status})</source>
        <translation>{protocol}：{title}（第 {version} 版，{status}）</translation>
    </message>
    <message>
        <source>Add a study from its file</source>
        <translation>从研究文件添加研究</translation>
    </message>
    <message>
        <source>&amp;Add the study</source>
        <translation>添加研究(&amp;A)</translation>
    </message>
    <message>
        <source>Confirm the change of &amp;schedule</source>
        <translation>确认更改周期安排(&amp;S)</translation>
    </message>
    <message>
        <source>C&amp;lose the study</source>
        <translation>关闭研究(&amp;L)</translation>
    </message>
    <message>
        <source>Study files (*.toml);;All files (*)</source>
        <translation>研究文件 (*.toml);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Add a study</source>
        <translation>添加研究</translation>
    </message>
    <message>
        <source>Why is the study {name} added to this pharmacy?</source>
        <translation>为何将研究 {name} 添加到本药房？</translation>
    </message>
    <message>
        <source>Study {protocol} added. Give its pharmacists, technicians and monitors access to it on the Users screen.</source>
        <translation>研究 {protocol} 已添加。请在“用户”界面为其药师、药房技术员和监查员授予访问权限。</translation>
    </message>
    <message>
        <source>Update the study file of {protocol}</source>
        <translation>更新研究 {protocol} 的研究文件</translation>
    </message>
    <message>
        <source>Change the cycle schedule</source>
        <translation>更改周期安排</translation>
    </message>
    <message>
        <source>{change}

Confirm only if the sponsor changed the schedule mid-study: the change is recorded in the audit trail with these participants named. Otherwise cancel, and finish or end their cycles first.</source>
        <translation>{change}

仅在申办者确在研究中途更改了周期安排时才确认：此更改将记入稽查轨迹，并列出这些受试者。否则请取消，先完成或结束他们的周期。</translation>
    </message>
    <message>
        <source>Update the study file</source>
        <translation>更新研究文件</translation>
    </message>
    <message>
        <source>Replace the file of study {protocol} with {name}? The old file is kept in the audit trail. Why is the study file changed?</source>
        <translation>用 {name} 替换研究 {protocol} 的文件？旧文件保留在稽查轨迹中。为何更改研究文件？</translation>
    </message>
    <message>
        <source>&amp;Update the study file</source>
        <translation>更新研究文件(&amp;U)</translation>
    </message>
    <message>
        <source>The study file of {protocol} was replaced; the old text is in the audit trail.</source>
        <translation>研究 {protocol} 的研究文件已替换；旧文本保留在稽查轨迹中。</translation>
    </message>
    <message>
        <source>Close a study</source>
        <translation>关闭研究</translation>
    </message>
    <message>
        <source>Close study {protocol}? Its records stay to be read and reported; nothing more can be received, dispensed or returned in it. Why is it closed?</source>
        <translation>关闭研究 {protocol}？其记录仍可查阅和报告；此后不能再接收、发放或退回。关闭原因是什么？</translation>
    </message>
    <message>
        <source>Study {protocol} closed.</source>
        <translation>研究 {protocol} 已关闭。</translation>
    </message>
</context>
<context>
    <name>StudiesSection</name>
    <message>
        <source>Click a study to work in it</source>
        <translation>点击一个研究即可在其中工作</translation>
    </message>
    <message>
        <source>{n} studies; {waiting} with overdue participants, findings to review or short stock. You work in {current}: click another study to switch to it.</source>
        <translation>共 {n} 个研究；其中 {waiting} 个有逾期受试者、待审核项或库存短缺。您当前在 {current} 中工作：点击其他研究即可切换。</translation>
    </message>
</context>
<context>
    <name>StudyRulesScreen</name>
    <message>
        <source>holds ({source})</source>
        <translation>有效（{source}）</translation>
    </message>
    <message>
        <source>confirmed</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>to confirm (changed since confirmed)</source>
        <translation>待确认（确认后已改动）</translation>
    </message>
    <message>
        <source>to confirm</source>
        <translation>待确认</translation>
    </message>
    <message>
        <source>Key in the study file: {key}</source>
        <translation>研究文件中的键：{key}</translation>
    </message>
    <message>
        <source>Study rules of {study}</source>
        <translation>{study} 研究规则</translation>
    </message>
    <message>
        <source>Selected rule</source>
        <translation>所选规则</translation>
    </message>
    <message>
        <source>Why it holds, e.g. the investigator&apos;s letter of 2026-11-02</source>
        <translation>有效依据，如研究者 2026-11-02 的函件</translation>
    </message>
    <message>
        <source>&amp;Confirm rule...</source>
        <translation>确认规则(&amp;C)...</translation>
    </message>
    <message>
        <source>From then on the counter applies the rule as written (kept in the audit trail)</source>
        <translation>此后发放窗口将按原文执行该规则（记入稽查轨迹）</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>原因(&amp;R)</translation>
    </message>
    <message>
        <source>All {n} rules of the study file hold: from the registry or the protocol as written, the site decisions confirmed by an administrator.</source>
        <translation>研究文件的全部 {n} 条规则均有效：来自注册记录或方案的按原文执行，中心决定已由管理员确认。</translation>
    </message>
    <message>
        <source>Select one, type why it holds and confirm it.</source>
        <translation>请选择一条规则，输入其有效依据并确认。</translation>
    </message>
    <message>
        <source>An administrator confirms them.</source>
        <translation>由管理员确认。</translation>
    </message>
    <message>
        <source>1 rule</source>
        <translation>1 条规则</translation>
    </message>
    <message>
        <source>{n} rules</source>
        <translation>{n} 条规则</translation>
    </message>
    <message>
        <source>&lt;b&gt;{rules} to confirm&lt;/b&gt;, listed first. Rules from the registry or the protocol hold as written; any other (a site decision) never blocks the counter until it is confirmed: the counter shows it as a notice. {who}</source>
        <translation>&lt;b&gt;{rules}待确认&lt;/b&gt;，列于最前。来自注册记录或方案的规则按原文有效；其他规则（中心决定）在确认之前不会阻止发放窗口操作，仅作为提示显示。{who}</translation>
    </message>
    <message>
        <source>Select a rule in the list.</source>
        <translation>请在列表中选择一条规则。</translation>
    </message>
    <message>
        <source>&lt;b&gt;{rule}&lt;/b&gt;: {title} &lt;i&gt;({source})&lt;/i&gt;&lt;br&gt;</source>
        <translation>&lt;b&gt;{rule}&lt;/b&gt;：{title} &lt;i&gt;（{source}）&lt;/i&gt;&lt;br&gt;</translation>
    </message>
    <message>
        <source>Holds as written: it comes from the {source}.</source>
        <translation>按原文有效，来源：{source}。</translation>
    </message>
    <message>
        <source>Confirmed by &lt;b&gt;{name}&lt;/b&gt; on {date}: {reason}</source>
        <translation>由 &lt;b&gt;{name}&lt;/b&gt; 于 {date} 确认：{reason}</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:{colour}&apos;&gt;&lt;b&gt;To confirm.&lt;/b&gt;&lt;/span&gt; The counter shows it as a notice and does not apply it.</source>
        <translation>&lt;span style=&apos;color:{colour}&apos;&gt;&lt;b&gt;待确认。&lt;/b&gt;&lt;/span&gt;发放窗口仅将其作为提示显示，不予执行。</translation>
    </message>
    <message>
        <source>Type why rule {rule} holds (the decision or document behind it) before confirming it: the reason is kept in the audit trail.</source>
        <translation>确认前请输入规则“{rule}”的有效依据（其背后的决定或文件）：该原因将记入稽查轨迹。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Confirm rule {rule}?&lt;/b&gt;</source>
        <translation>&lt;b&gt;确认规则“{rule}”？&lt;/b&gt;</translation>
    </message>
    <message>
        <source>{title} &lt;i&gt;({source})&lt;/i&gt;.&lt;br&gt;&lt;br&gt;From then on the counter applies it as written: it may refuse a step or ask for an override. The confirmation is kept in the audit trail with your reason:&lt;br&gt;&lt;br&gt;&lt;i&gt;{reason}&lt;/i&gt;</source>
        <translation>{title} &lt;i&gt;（来源：{source}）&lt;/i&gt;。&lt;br&gt;&lt;br&gt;此后发放窗口将按原文执行：可能拒绝某一步骤或要求越过警告。确认将连同您的原因记入稽查轨迹：&lt;br&gt;&lt;br&gt;&lt;i&gt;{reason}&lt;/i&gt;</translation>
    </message>
    <message>
        <source>Confirm rule</source>
        <translation>确认规则</translation>
    </message>
    <message>
        <source>&amp;Confirm rule</source>
        <translation>确认规则(&amp;C)</translation>
    </message>
    <message>
        <source>Rule {rule} ({source}) is confirmed: the counter now applies it as written.</source>
        <translation>规则“{rule}”（来源：{source}）已确认：发放窗口现按原文执行。</translation>
    </message>
</context>
<context>
    <name>UsersScreen</name>
    <message>
        <source>active</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>deactivated</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>locked ({n} failures)</source>
        <translation>已锁定（失败 {n} 次）</translation>
    </message>
    <message>
        <source>ok</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>temporary</source>
        <translation>临时</translation>
    </message>
    <message>
        <source>A temporary password set by an administrator: the user must change it at their next sign-in.</source>
        <translation>由管理员设置的临时密码：该用户下次登录时必须更改。</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Add a user</source>
        <translation>添加用户</translation>
    </message>
    <message>
        <source>lower-case, e.g. jsmith</source>
        <translation>小写字母，如 jsmith</translation>
    </message>
    <message>
        <source>e.g. JS</source>
        <translation>如 JS</translation>
    </message>
    <message>
        <source>As the user initials records, e.g. JS</source>
        <translation>与该用户在记录上的签名缩写一致，如 JS</translation>
    </message>
    <message>
        <source>at least 8 characters</source>
        <translation>至少 8 个字符</translation>
    </message>
    <message>
        <source>the same again</source>
        <translation>再次输入相同密码</translation>
    </message>
    <message>
        <source>The studies the new account works in</source>
        <translation>新账户工作的研究</translation>
    </message>
    <message>
        <source>Selected account</source>
        <translation>所选账户</translation>
    </message>
    <message>
        <source>Kept in the audit trail</source>
        <translation>记入稽查轨迹</translation>
    </message>
    <message>
        <source>Why (kept in the audit trail)</source>
        <translation>原因（记入稽查轨迹）</translation>
    </message>
    <message>
        <source>new password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>Access to studies</source>
        <translation>研究访问权限</translation>
    </message>
    <message>
        <source>User {user} ({role}) added.</source>
        <translation>用户 {user}（{role}）已添加。</translation>
    </message>
    <message>
        <source>User {user} ({role}) added, working in {studies}.</source>
        <translation>用户 {user}（{role}）已添加，工作于 {studies}。</translation>
    </message>
    <message>
        <source>Give them the password in person: they choose their own at their first sign-in.</source>
        <translation>请当面将密码交给对方：对方首次登录时须设置自己的密码。</translation>
    </message>
    <message>
        <source>{protocol} — {title}</source>
        <translation>{protocol} — {title}</translation>
    </message>
    <message>
        <source>&amp;Selected user</source>
        <translation>所选用户(&amp;S)</translation>
    </message>
    <message>
        <source>A&amp;dd a user</source>
        <translation>添加用户(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Add user</source>
        <translation>添加用户(&amp;A)</translation>
    </message>
    <message>
        <source>Studi&amp;es</source>
        <translation>研究(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;User name</source>
        <translation>用户名(&amp;U)</translation>
    </message>
    <message>
        <source>Full &amp;name</source>
        <translation>姓名(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Initials</source>
        <translation>姓名缩写(&amp;I)</translation>
    </message>
    <message>
        <source>R&amp;ole</source>
        <translation>角色(&amp;O)</translation>
    </message>
    <message>
        <source>Initial pass&amp;word</source>
        <translation>初始密码(&amp;W)</translation>
    </message>
    <message>
        <source>Re&amp;peat password</source>
        <translation>确认密码(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>原因(&amp;R)</translation>
    </message>
    <message>
        <source>De&amp;activate</source>
        <translation>停用(&amp;A)</translation>
    </message>
    <message>
        <source>Rea&amp;ctivate</source>
        <translation>重新启用(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>解锁(&amp;U)</translation>
    </message>
    <message>
        <source>Reset pass&amp;word</source>
        <translation>重置密码(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;New password</source>
        <translation>新密码(&amp;N)</translation>
    </message>
    <message>
        <source>Stud&amp;y</source>
        <translation>研究(&amp;Y)</translation>
    </message>
    <message>
        <source>R&amp;eason</source>
        <translation>原因(&amp;E)</translation>
    </message>
    <message>
        <source>Gi&amp;ve access</source>
        <translation>授予访问权限(&amp;V)</translation>
    </message>
    <message>
        <source>Ta&amp;ke access</source>
        <translation>收回访问权限(&amp;K)</translation>
    </message>
    <message>
        <source>Select a user in the list.</source>
        <translation>请在列表中选择一个用户。</translation>
    </message>
    <message>
        <source>, locked after failed sign-ins</source>
        <translation>，因登录失败已锁定</translation>
    </message>
    <message>
        <source>{user} ({state}{locked}): {name} ({initials}), {role}</source>
        <translation>{user}（{state}{locked}）：{name}（{initials}），{role}</translation>
    </message>
    <message>
        <source>An administrator reaches every study.</source>
        <translation>管理员可访问所有研究。</translation>
    </message>
    <message>
        <source>{user} works in: {studies}.</source>
        <translation>{user} 可在以下研究中工作：{studies}。</translation>
    </message>
    <message>
        <source>{user} has access to no study yet.</source>
        <translation>{user} 尚无任何研究的访问权限。</translation>
    </message>
    <message>
        <source>{user} may now work in study {study}.</source>
        <translation>{user} 现在可在研究 {study} 中工作。</translation>
    </message>
    <message>
        <source>{user} may no longer work in study {study}.</source>
        <translation>{user} 不再能在研究 {study} 中工作。</translation>
    </message>
    <message>
        <source>The two passwords differ; type them again.</source>
        <translation>两次输入的密码不一致；请重新输入。</translation>
    </message>
    <message>
        <source>{first} {second}</source>
        <comment>two sentences in a row</comment>
        <translation>{first}{second}</translation>
    </message>
    <message>
        <source>Account {user} reactivated.</source>
        <translation>账户 {user} 已重新启用。</translation>
    </message>
    <message>
        <source>Account {user} deactivated.</source>
        <translation>账户 {user} 已停用。</translation>
    </message>
    <message>
        <source>Account {user} unlocked; they can sign in again.</source>
        <translation>账户 {user} 已解锁；可以重新登录。</translation>
    </message>
    <message>
        <source>Password of {user} reset and the account unlocked (it was locked after failed sign-ins; you have them in front of you). Give them the password in person; they must choose their own at their next sign-in and can sign nothing before.</source>
        <translation>{user} 的密码已重置，账户同时已解锁（此前因登录失败被锁定；本人就在您面前）。请当面交给对方；对方下次登录时必须设置自己的密码，在此之前不能进行任何签名。</translation>
    </message>
    <message>
        <source>Password of {user} reset and its {n} failed sign-in cleared (a try at the password replaced). Give it to them in person; they must choose their own at their next sign-in and can sign nothing before.</source>
        <translation>{user} 的密码已重置，{n} 次登录失败已清零（用被替换的密码尝试）。请当面交给对方；对方下次登录时必须设置自己的密码，在此之前不能进行任何签名。</translation>
    </message>
    <message>
        <source>Password of {user} reset and its {n} failed sign-ins cleared (tries at the password replaced). Give it to them in person; they must choose their own at their next sign-in and can sign nothing before.</source>
        <translation>{user} 的密码已重置，{n} 次登录失败已清零（用被替换的密码尝试）。请当面交给对方；对方下次登录时必须设置自己的密码，在此之前不能进行任何签名。</translation>
    </message>
    <message>
        <source>Password of {user} reset. Give it to them in person; they must choose their own at their next sign-in and can sign nothing before.</source>
        <translation>{user} 的密码已重置。请当面交给对方；对方下次登录时必须设置自己的密码，在此之前不能进行任何签名。</translation>
    </message>
</context>
</TS>
