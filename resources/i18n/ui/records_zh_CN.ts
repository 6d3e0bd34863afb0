<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AuditScreen</name>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>{name}: {value}</source>
        <translation>{name}：{value}</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Audit trail</source>
        <translation>稽查轨迹</translation>
    </message>
    <message>
        <source>&amp;Verify chain</source>
        <translation>校验哈希链(&amp;V)</translation>
    </message>
    <message>
        <source>Recompute the hash of every audit entry and ledger row: any change to the database file outside the program is found.</source>
        <translation>重新计算每条稽查轨迹条目和每行台账的哈希值：可发现在程序之外对数据库文件所做的任何改动。</translation>
    </message>
    <message>
        <source>Select an entry to read all of it.</source>
        <translation>选择一条记录以查看其全部内容。</translation>
    </message>
    <message>
        <source>Technical &amp;details</source>
        <translation>技术细节(&amp;D)</translation>
    </message>
    <message>
        <source>Show the selected entry as stored too: action and record codes, field keys, the ledger rows&apos; ids and hashes.</source>
        <translation>同时按存储原样显示所选记录：操作和记录对象的代码、字段键、台账行的编号和哈希值。</translation>
    </message>
    <message>
        <source>Verification code now:</source>
        <translation>当前校验码：</translation>
    </message>
    <message>
        <source>Where the audit trail stands now. Write it down (reports print it in their footer): checked later, it shows whether the trail was rewritten since.</source>
        <translation>稽查轨迹当前所处的位置。请记下此码（报告页脚中也会打印）：日后核对时，可显示稽查轨迹此后是否被改写。</translation>
    </message>
    <message>
        <source>A code written down earlier: A-...</source>
        <translation>之前记下的校验码：A-...</translation>
    </message>
    <message>
        <source>Check a &amp;code:</source>
        <translation>核对校验码(&amp;C)：</translation>
    </message>
    <message>
        <source>Chec&amp;k code</source>
        <translation>核对(&amp;K)</translation>
    </message>
    <message>
        <source>Recompute the audit trail up to the entry the code names: a history rewritten since the code was taken does not match it.</source>
        <translation>重新计算稽查轨迹，直至校验码所指的记录：若此后历史被改写，则与校验码不符。</translation>
    </message>
    <message>
        <source>All users</source>
        <translation>全部用户</translation>
    </message>
    <message>
        <source>All actions</source>
        <translation>全部操作</translation>
    </message>
    <message>
        <source>Kit, participant, dispense, reason...</source>
        <translation>药盒、受试者、发放、原因…</translation>
    </message>
    <message>
        <source>&amp;Show</source>
        <translation>显示(&amp;S)</translation>
    </message>
    <message>
        <source>Save &amp;report...</source>
        <translation>保存报告(&amp;R)…</translation>
    </message>
    <message>
        <source>Save the entries these filters keep as the audit trail report (PDF or CSV), with the filters and the chain&apos;s verification on its first page.</source>
        <translation>将这些筛选条件保留的条目保存为稽查轨迹报告（PDF 或 CSV），首页注明所用筛选条件和链校验结果。</translation>
    </message>
    <message>
        <source>&amp;User</source>
        <translation>用户(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Action</source>
        <translation>操作(&amp;A)</translation>
    </message>
    <message>
        <source>Te&amp;xt</source>
        <translation>文本(&amp;X)</translation>
    </message>
    <message>
        <source>{user} ({name}), no longer in this study</source>
        <translation>{user}（{name}），已不在本研究</translation>
    </message>
    <message>
        <source>{user} ({name})</source>
        <translation>{user}（{name}）</translation>
    </message>
    <message>
        <source>The &apos;from&apos; date is after the &apos;to&apos; date; swap them.</source>
        <translation>“从”日期晚于“至”日期；请对调。</translation>
    </message>
    <message>
        <source>{n} entries shown (the latest; narrow the filters to see older ones)</source>
        <translation>显示 {n} 条记录（最新的记录；缩小筛选范围可查看更早的记录）</translation>
    </message>
    <message>
        <source>No entry matches these filters.</source>
        <translation>没有符合这些筛选条件的记录。</translation>
    </message>
    <message>
        <source>1 entry shown</source>
        <translation>显示 1 条记录</translation>
    </message>
    <message>
        <source>{n} entries shown</source>
        <translation>显示 {n} 条记录</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Save the audit trail report</source>
        <translation>保存稽查轨迹报告</translation>
    </message>
    <message>
        <source>Preparing the audit trail report...</source>
        <translation>正在生成稽查轨迹报告…</translation>
    </message>
    <message>
        <source>Saved the {says}: {target}</source>
        <translation>已保存{says}：{target}</translation>
    </message>
    <message>
        <source>{utc} UTC</source>
        <translation>{utc} UTC</translation>
    </message>
    <message>
        <source>{local} (UTC {utc})</source>
        <translation>{local}（UTC {utc}）</translation>
    </message>
    <message>
        <source>Entry {id}, {when}
User: {user}    Action: {action}    Record: {record}
Reason: {reason}

Signatures:
{signatures}

New values:
{new}

Old values:
{old}</source>
        <translation>条目编号 {id}，{when}
用户：{user}    操作：{action}    记录对象：{record}
原因：{reason}

签名：
{signatures}

新值：
{new}

原值：
{old}</translation>
    </message>
    <message>
        <source>Technical details (as stored)
Action: {action}    Record: {entity} {entity_id}    Reason: {reason}
New values:
{new}
Old values:
{old}</source>
        <translation>技术细节（按存储原样）
操作：{action}    记录对象：{entity} {entity_id}    原因：{reason}
新值：
{new}
原值：
{old}</translation>
    </message>
    <message>
        <source>{user} ({name}, {role})</source>
        <translation>{user}（{name}，{role}）</translation>
    </message>
    <message>
        <source>{name} ({role}): {meaning}, {when}</source>
        <translation>{name}（{role}）：{meaning}，{when}</translation>
    </message>
    <message>
        <source>{entries} audit entries and {ledger} ledger rows checked.</source>
        <translation>已校验 {entries} 条稽查轨迹条目和 {ledger} 行台账。</translation>
    </message>
    <message>
        <source>CHAIN INTACT. {message} {counts}</source>
        <translation>哈希链完整。{message}{counts}</translation>
    </message>
    <message>
        <source> First entry that does not match: {entry}.</source>
        <translation>第一条不匹配的记录：{entry}。</translation>
    </message>
    <message>
        <source>CHAIN BROKEN. {message}{first} {counts}{more}</source>
        <translation>哈希链已断裂。{message}{first}{counts}{more}</translation>
    </message>
    <message>
        <source>none: the audit trail does not verify</source>
        <translation>无：稽查轨迹核验未通过</translation>
    </message>
    <message>
        <source>Site key of this workstation: {fingerprint}</source>
        <translation>本工作站的站点密钥：{fingerprint}</translation>
    </message>
    <message>
        <source>No site key on this workstation: its anchor log is not signed.</source>
        <translation>此工作站没有站点密钥：其锚点日志未签名。</translation>
    </message>
    <message>
        <source>The site key signs the anchor log at each backup. Compare its fingerprint with the copy in the site&apos;s quality binder.</source>
        <translation>每次备份时，站点密钥为锚点日志签名。请把其指纹与研究中心质量文件夹中的副本核对。</translation>
    </message>
    <message>
        <source>Type the verification code written down or printed earlier (it looks like A-104233-7QK2-M9TD-C), then press Enter.</source>
        <translation>请输入之前记下或打印的校验码（形如 A-104233-7QK2-M9TD-C），然后按 Enter。</translation>
    </message>
    <message>
        <source>CODE MATCHES. {message}</source>
        <translation>校验码相符。{message}</translation>
    </message>
    <message>
        <source>CODE DOES NOT MATCH. {message}</source>
        <translation>校验码不符。{message}</translation>
    </message>
    <message>
        <source>CODE MATCHES, BUT THE CHAIN IS BROKEN. {message}</source>
        <translation>校验码相符，但哈希链已断裂。{message}</translation>
    </message>
</context>
<context>
    <name>Column</name>
    <message>
        <source>Received</source>
        <translation>已接收</translation>
    </message>
    <message>
        <source>Dispensed</source>
        <translation>已发放</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>已退回</translation>
    </message>
    <message>
        <source>Destroyed</source>
        <translation>已销毁</translation>
    </message>
    <message>
        <source>Written off</source>
        <translation>核销</translation>
    </message>
    <message>
        <source>Written off (adjusted)</source>
        <translation>核销（盘点调整）</translation>
    </message>
    <message>
        <source>On hand</source>
        <translation>库存</translation>
    </message>
    <message>
        <source>Held</source>
        <translation>留存</translation>
    </message>
    <message>
        <source>Held returned</source>
        <translation>退回留存</translation>
    </message>
    <message>
        <source>Balanced</source>
        <translation>账目平衡</translation>
    </message>
    <message>
        <source>Finding</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Concerns</source>
        <translation>涉及</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Moved</source>
        <translation>变动</translation>
    </message>
    <message>
        <source>Moved since the count</source>
        <translation>盘点后变动</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Attested</source>
        <translation>所确认的数据</translation>
    </message>
    <message>
        <source>Changed since</source>
        <translation>此后的更改</translation>
    </message>
    <message>
        <source>Kit</source>
        <translation>药盒</translation>
    </message>
    <message>
        <source>Dispensed to participant</source>
        <translation>发放给受试者</translation>
    </message>
    <message>
        <source>Returned by participant</source>
        <translation>受试者退回</translation>
    </message>
    <message>
        <source>Back in stock</source>
        <translation>退回库存</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>药品</translation>
    </message>
    <message>
        <source>Lot</source>
        <translation>批号</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Book now</source>
        <translation>当前账面数</translation>
    </message>
    <message>
        <source>Last counted</source>
        <translation>最近盘点</translation>
    </message>
    <message>
        <source>Counted</source>
        <translation>盘点数</translation>
    </message>
    <message>
        <source>Book then</source>
        <translation>盘点时账面数</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>差异</translation>
    </message>
    <message>
        <source>Counted by</source>
        <translation>盘点人</translation>
    </message>
    <message>
        <source>Checked by</source>
        <translation>核对人</translation>
    </message>
    <message>
        <source>Countersigned by</source>
        <translation>核对人（会签）</translation>
    </message>
    <message>
        <source>Signed at</source>
        <translation>签名时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>经办人</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Participant</source>
        <translation>受试者</translation>
    </message>
    <message>
        <source>Initials</source>
        <translation>姓名缩写</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>New values</source>
        <translation>新值</translation>
    </message>
    <message>
        <source>Old values</source>
        <translation>原值</translation>
    </message>
    <message>
        <source>When ({zone})</source>
        <translation>时间（{zone}）</translation>
    </message>
    <message>
        <source>From</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>To</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Readings</source>
        <translation>读数</translation>
    </message>
    <message>
        <source>Lowest</source>
        <translation>最低</translation>
    </message>
    <message>
        <source>Highest</source>
        <translation>最高</translation>
    </message>
    <message>
        <source>Storage area</source>
        <translation>储存区域</translation>
    </message>
    <message>
        <source>Excursions</source>
        <translation>温度超标</translation>
    </message>
    <message>
        <source>Gaps</source>
        <translation>间断</translation>
    </message>
    <message>
        <source>Gaps in the readings</source>
        <translation>读数中的间断</translation>
    </message>
    <message>
        <source>Imported by</source>
        <translation>导入人</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>导入日期</translation>
    </message>
    <message>
        <source>Kits quarantined</source>
        <translation>隔离药盒数</translation>
    </message>
    <message>
        <source>Dispensed since</source>
        <translation>此后已发放</translation>
    </message>
    <message>
        <source>Kits in the store during it, dispensed or gone since</source>
        <translation>超标期间在库、此后已发放或不在库的药盒</translation>
    </message>
    <message>
        <source>Logger file</source>
        <translation>记录仪文件</translation>
    </message>
    <message>
        <source>Recorded by</source>
        <translation>记录人</translation>
    </message>
    <message>
        <source>Expiry</source>
        <translation>有效期</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Tablets</source>
        <translation>片数</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Shipment</source>
        <translation>货件</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步骤</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
</context>
<context>
    <name>CountDialog</name>
    <message>
        <source>Physical count of kit {kit}</source>
        <translation>药盒 {kit} 盘点</translation>
    </message>
</context>
<context>
    <name>InventoryScreen</name>
    <message>
        <source>Returned tablets unseen by the monitor</source>
        <translation>监查员尚未查看的退回药品</translation>
    </message>
    <message>
        <source>Returns unseen by the monitor</source>
        <translation>监查员尚未查看的退回药品</translation>
    </message>
    <message>
        <source>&amp;Destroy anyway</source>
        <translation>仍然销毁(&amp;D)</translation>
    </message>
    <message>
        <source>The monitor has not seen these returned tablets. Destroy them only if the sponsor agrees; your acknowledgement is written into the audit trail.</source>
        <translation>监查员尚未查看这些退回药品。仅在申办方同意时销毁；您的确认将记入稽查轨迹。</translation>
    </message>
    <message>
        <source>The monitor has not seen these returns. Destroy them only if the sponsor agrees; your acknowledgement is written into the audit trail.</source>
        <translation>监查员尚未查看这些退回药品。仅在申办方同意时销毁；您的确认将记入稽查轨迹。</translation>
    </message>
    <message>
        <source>Inventory: every kit and its status today</source>
        <translation>库存：每个药盒及其当前状态</translation>
    </message>
    <message>
        <source>Search kit, lot, shipment...</source>
        <translation>搜索药盒、批号、货件…</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>All products</source>
        <translation>全部药品</translation>
    </message>
    <message>
        <source>A blind physical count of the selected kit</source>
        <translation>对所选药盒进行盲态盘点</translation>
    </message>
    <message>
        <source>C&amp;lear selection</source>
        <translation>清除选择(&amp;L)</translation>
    </message>
    <message>
        <source>Esc: no kit selected; the next kit scanned starts a new list</source>
        <translation>Esc：取消选择所有药盒；下一个扫描的药盒开始新的清单</translation>
    </message>
    <message>
        <source>Destroy, or return to sponsor</source>
        <translation>销毁或退回申办方</translation>
    </message>
    <message>
        <source>User name of the witness (another user)</source>
        <translation>见证人的用户名（须为另一用户）</translation>
    </message>
    <message>
        <source>The sponsor&apos;s destruction authorisation</source>
        <translation>申办方的销毁授权</translation>
    </message>
    <message>
        <source>The day the kits were destroyed or sent back: on or after each kit&apos;s receipt or return, and not in the future</source>
        <translation>药盒销毁或寄回的日期：不早于各药盒的接收或退回日期，且不能是将来的日期</translation>
    </message>
    <message>
        <source>(none: expired or returned stock)</source>
        <translation>（无：过期或已退回的药品）</translation>
    </message>
    <message>
        <source>Needed when a kit still in date leaves unused</source>
        <translation>有效期内的药盒未经使用即出库时必填</translation>
    </message>
    <message>
        <source>Sent back to the sponsor</source>
        <translation>寄回申办方</translation>
    </message>
    <message>
        <source>Ticked: the kits go back to the sponsor, not destroyed here</source>
        <translation>勾选：药盒寄回申办方，不在本院销毁</translation>
    </message>
    <message>
        <source>Counting the kits found…</source>
        <translation>正在统计找到的药盒…</translation>
    </message>
    <message>
        <source>{found}
{n} held for a count difference, not counted as available</source>
        <translation>{found}
{n}因盘点差异被暂扣，未计入可用</translation>
    </message>
    <message>
        <source>1 kit</source>
        <translation>1 个药盒</translation>
    </message>
    <message>
        <source>{n} kits</source>
        <translation>{n} 个药盒</translation>
    </message>
    <message>
        <source>{found}
{n} too short-dated, not counted</source>
        <translation>{found}
{n}效期不足一个周期，未计入可用</translation>
    </message>
    <message>
        <source>1 kit shown; {units} available</source>
        <translation>显示 1 个药盒；可用 {units}</translation>
    </message>
    <message>
        <source>{n} kits shown; {units} available</source>
        <translation>显示 {n} 个药盒；可用 {units}</translation>
    </message>
    <message>
        <source>1 kit shown; available:</source>
        <translation>显示 1 个药盒；可用：</translation>
    </message>
    <message>
        <source>{n} kits shown; available:</source>
        <translation>显示 {n} 个药盒；可用：</translation>
    </message>
    <message>
        <source>{units} ({product})</source>
        <comment>units available of a product</comment>
        <translation>{product} {units}</translation>
    </message>
    <message>
        <source>1 kit shown; {tablets} tablets available</source>
        <translation>显示 1 个药盒；可用 {tablets} 片</translation>
    </message>
    <message>
        <source>{n} kits shown; {tablets} tablets available</source>
        <translation>显示 {n} 个药盒；可用 {tablets} 片</translation>
    </message>
    <message>
        <source>Select one or more kits (Ctrl-click for several).</source>
        <translation>请选择一个或多个药盒（按住 Ctrl 点击可多选）。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Kit {kit}&lt;/b&gt;: {product}, lot {lot}, expires {expiry}&lt;br&gt;{status}, {tablets} tablets, {where}</source>
        <translation>&lt;b&gt;药盒 {kit}&lt;/b&gt;：{product}，批号 {lot}，有效期至 {expiry}&lt;br&gt;{status}，{tablets} 片，{where}</translation>
    </message>
    <message>
        <source>&lt;b&gt;Kit {kit}&lt;/b&gt;: {product}, lot {lot}, expires {expiry}&lt;br&gt;{status}, {units}, {where}</source>
        <translation>&lt;b&gt;药盒 {kit}&lt;/b&gt;：{product}，批号 {lot}，有效期至 {expiry}&lt;br&gt;{status}，{units}，{where}</translation>
    </message>
    <message>
        <source>&lt;b&gt;{n} of {total} kits selected&lt;/b&gt; (scroll to load the rest): {kits}</source>
        <translation>&lt;b&gt;已选 {n} 个药盒（共 {total} 个）&lt;/b&gt;（向下滚动以加载其余药盒）：{kits}</translation>
    </message>
    <message>
        <source>&lt;b&gt;{n} kits selected&lt;/b&gt;: {kits}</source>
        <translation>&lt;b&gt;已选 {n} 个药盒&lt;/b&gt;：{kits}</translation>
    </message>
    <message>
        <source>Expiring by {date}</source>
        <translation>截至 {date} 过期</translation>
    </message>
    <message>
        <source>Only the kits on the shelf or in quarantine whose lot expires by {date}, as the Today screen counts them. Untick to list every kit.</source>
        <translation>只列出批号在 {date} 前（含当日）过期的架上或隔离中药盒，与“今日”屏幕的统计相同。取消勾选可列出全部药盒。</translation>
    </message>
    <message>
        <source>Kit {kit} is already selected: it is listed once.</source>
        <translation>药盒 {kit} 已被选中：清单中只列一次。</translation>
    </message>
    <message>
        <source>Kit {kit} is already selected, listed once: {n} kits selected.</source>
        <translation>药盒 {kit} 已被选中，清单中只列一次：已选 {n} 个药盒。</translation>
    </message>
    <message>
        <source>Kit {kit} is not in this pharmacy&apos;s stock. Check the number, or receive the kit&apos;s shipment first.</source>
        <translation>药盒 {kit} 不在本药房库存中。请核对编号，或先接收该药盒所属的货件。</translation>
    </message>
    <message>
        <source>Kit {kit} selected. Kits selected before are not in the list shown (it was narrowed to {kit}, far down the list): {lost}. Select them by a search or a filter, or act on them apart.</source>
        <translation>已选中药盒 {kit}。之前选中的药盒不在当前显示的列表中（{kit} 位于列表很靠后的位置，列表已缩小为该药盒）：{lost}。请通过搜索或筛选选中它们，或另行处理。</translation>
    </message>
    <message>
        <source>Kit {kit} added: {n} kits selected. Esc clears the list.</source>
        <translation>已加入药盒 {kit}：已选 {n} 个药盒。按 Esc 清空清单。</translation>
    </message>
    <message>
        <source>Quarantine</source>
        <translation>隔离</translation>
    </message>
    <message>
        <source>Why is {kits} set aside? It cannot be dispensed until released.</source>
        <translation>为何隔离 {kits}？解除隔离前不能发放。</translation>
    </message>
    <message>
        <source>Why are {kits} set aside? They cannot be dispensed until released.</source>
        <translation>为何隔离 {kits}？解除隔离前不能发放。</translation>
    </message>
    <message>
        <source>&amp;Quarantine</source>
        <translation>隔离(&amp;Q)</translation>
    </message>
    <message>
        <source>Quarantined {kits}: {reason}.</source>
        <translation>已隔离 {kits}：{reason}。</translation>
    </message>
    <message>
        <source>Release of {kits} from quarantine on the sponsor&apos;s decision {reference}</source>
        <translation>凭申办方决定 {reference} 解除隔离 {kits}</translation>
    </message>
    <message>
        <source>{released} {relabel}</source>
        <translation>{released}{relabel}</translation>
    </message>
    <message>
        <source>Count of kit {kit} recorded: {counted} counted, {book} in the book, not adjusted. The kit is held for the difference: it is neither dispensed nor destroyed until you count it again (Count...) or record the adjustment with a reason code, a reason and a second person.</source>
        <translation>药盒 {kit} 的盘点已记录：盘点数 {counted}，账面 {book}，未调整。该药盒因此差异被暂扣：在您重新盘点（盘点…）或登记调整（原因代码、原因及核对人）之前，既不能发放也不能销毁。</translation>
    </message>
    <message>
        <source>Count of kit {kit} recorded; the ledger was adjusted by {difference}.</source>
        <translation>药盒 {kit} 的盘点已记录；台账已调整 {difference}。</translation>
    </message>
    <message>
        <source>Count of kit {kit} recorded.</source>
        <translation>药盒 {kit} 的盘点已记录。</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#c62828&apos;&gt;{message}&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#c62828&apos;&gt;{message}&lt;/span&gt;</translation>
    </message>
    <message>
        <source>{n} kit, &lt;b&gt;{tablets}&lt;/b&gt; tablets would leave: {from_stock} from the shelf, {returned} returned (held for the monitor).</source>
        <translation>{n} 个药盒，共 &lt;b&gt;{tablets}&lt;/b&gt; 片将出库：货架上 {from_stock} 片，退回留存 {returned} 片。</translation>
    </message>
    <message>
        <source>{n} kits, &lt;b&gt;{tablets}&lt;/b&gt; tablets would leave: {from_stock} from the shelf, {returned} returned (held for the monitor).</source>
        <translation>{n} 个药盒，共 &lt;b&gt;{tablets}&lt;/b&gt; 片将出库：货架上 {from_stock} 片，退回留存 {returned} 片。</translation>
    </message>
    <message>
        <source>{n} kit, &lt;b&gt;{units}&lt;/b&gt; would leave: {from_stock} from the shelf, {returned} returned (held for the monitor).</source>
        <translation>{n} 个药盒，共 &lt;b&gt;{units}&lt;/b&gt; 将出库：货架上 {from_stock}，退回留存 {returned}。</translation>
    </message>
    <message>
        <source>{n} kits, &lt;b&gt;{units}&lt;/b&gt; would leave: {from_stock} from the shelf, {returned} returned (held for the monitor).</source>
        <translation>{n} 个药盒，共 &lt;b&gt;{units}&lt;/b&gt; 将出库：货架上 {from_stock}，退回留存 {returned}。</translation>
    </message>
    <message>
        <source>Return to the sponsor of {n} kit: {kits} ({tablets}) on {day}, witnessed by {witness}, authorised by {reference}</source>
        <translation>于 {day} 将 {n} 个药盒退回申办方：{kits}（{tablets}），见证人 {witness}，授权 {reference}</translation>
    </message>
    <message>
        <source>Return to the sponsor of {n} kits: {kits} ({tablets}) on {day}, witnessed by {witness}, authorised by {reference}</source>
        <translation>于 {day} 将 {n} 个药盒退回申办方：{kits}（{tablets}），见证人 {witness}，授权 {reference}</translation>
    </message>
    <message>
        <source>Destruction of {n} kit: {kits} ({tablets}) on {day}, witnessed by {witness}, authorised by {reference}</source>
        <translation>于 {day} 销毁 {n} 个药盒：{kits}（{tablets}），见证人 {witness}，授权 {reference}</translation>
    </message>
    <message>
        <source>Destruction of {n} kits: {kits} ({tablets}) on {day}, witnessed by {witness}, authorised by {reference}</source>
        <translation>于 {day} 销毁 {n} 个药盒：{kits}（{tablets}），见证人 {witness}，授权 {reference}</translation>
    </message>
    <message>
        <source>Nothing recorded: the witness did not sign.</source>
        <translation>见证人未签名：未保存任何内容。</translation>
    </message>
    <message>
        <source>{n} kit, {tablets}, returned to the sponsor on {day} (record {record}), witnessed by {witness}.</source>
        <translation>{n} 个药盒（{tablets}）已于 {day} 退回申办方（记录 {record}），见证人 {witness}。</translation>
    </message>
    <message>
        <source>{n} kits, {tablets}, returned to the sponsor on {day} (record {record}), witnessed by {witness}.</source>
        <translation>{n} 个药盒（{tablets}）已于 {day} 退回申办方（记录 {record}），见证人 {witness}。</translation>
    </message>
    <message>
        <source>{n} kit, {tablets}, destroyed on {day} (record {record}), witnessed by {witness}.</source>
        <translation>{n} 个药盒（{tablets}）已于 {day} 销毁（记录 {record}），见证人 {witness}。</translation>
    </message>
    <message>
        <source>{n} kits, {tablets}, destroyed on {day} (record {record}), witnessed by {witness}.</source>
        <translation>{n} 个药盒（{tablets}）已于 {day} 销毁（记录 {record}），见证人 {witness}。</translation>
    </message>
    <message>
        <source>{n} tablets</source>
        <comment>units a destruction takes</comment>
        <translation>{n} 片</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:#7a4b00&apos;&gt;{message}&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:#7a4b00&apos;&gt;{message}&lt;/span&gt;</translation>
    </message>
    <message>
        <source>Held: count</source>
        <translation>盘点暂扣</translation>
    </message>
    <message>
        <source>{expiry}: {standing}</source>
        <translation>{expiry}：{standing}</translation>
    </message>
    <message>
        <source>&amp;Search</source>
        <translation>搜索(&amp;S)</translation>
    </message>
    <message>
        <source>St&amp;atus</source>
        <translation>状态(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Product</source>
        <translation>药品(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Quarantine...</source>
        <translation>隔离(&amp;Q)…</translation>
    </message>
    <message>
        <source>&amp;Release from quarantine...</source>
        <translation>解除隔离(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Count...</source>
        <translation>盘点(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Destroy selected kits...</source>
        <translation>销毁所选药盒(&amp;D)…</translation>
    </message>
    <message>
        <source>&amp;Witness</source>
        <translation>见证人(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Method</source>
        <translation>方式(&amp;M)</translation>
    </message>
    <message>
        <source>Sponsor&apos;s a&amp;uthorisation</source>
        <translation>申办方授权(&amp;U)</translation>
    </message>
    <message>
        <source>Date destr&amp;oyed (or sent back)</source>
        <translation>销毁（或寄回）日期(&amp;O)</translation>
    </message>
    <message>
        <source>Reaso&amp;n (in-date kits)</source>
        <translation>原因（有效期内药盒）(&amp;N)</translation>
    </message>
    <message>
        <source>Released {kits} on the sponsor&apos;s decision {reference}: {reason}.</source>
        <translation>已凭申办方决定 {reference} 解除隔离 {kits}：{reason}。</translation>
    </message>
    <message>
        <source>Date destroyed</source>
        <translation>销毁日期</translation>
    </message>
    <message>
        <source>Select the kits to destroy.</source>
        <translation>请选择要销毁的药盒。</translation>
    </message>
</context>
<context>
    <name>KitHistoryDialog</name>
    <message>
        <source>Kit {kit}: history</source>
        <translation>药盒 {kit}：历史记录</translation>
    </message>
    <message>
        <source>Kit {kit}: {product}, lot {lot}, expiry {expiry}; now {status}.</source>
        <translation>药盒 {kit}：{product}，批号 {lot}，有效期 {expiry}；当前状态：{status}。</translation>
    </message>
</context>
<context>
    <name>List</name>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
</context>
<context>
    <name>ReconcileScreen</name>
    <message>
        <source>balanced</source>
        <translation>账目平衡</translation>
    </message>
    <message>
        <source>NOT BALANCED</source>
        <translation>账目不平衡</translation>
    </message>
    <message>
        <source>NEVER COUNTED</source>
        <translation>从未盘点</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>药品</translation>
    </message>
    <message>
        <source>Lots</source>
        <translation>批号</translation>
    </message>
    <message>
        <source>Kits</source>
        <translation>药盒</translation>
    </message>
    <message>
        <source>Participants</source>
        <translation>受试者</translation>
    </message>
    <message>
        <source>Reconciliation</source>
        <translation>对账</translation>
    </message>
    <message>
        <source>Reconcile &amp;again</source>
        <translation>重新对账(&amp;A)</translation>
    </message>
    <message>
        <source>Written off (adjusted): what physical counts took off the book (broken, lost), less what they found, each product in its own units.</source>
        <translation>核销（盘点调整）：实物盘点从账面核销的数量（破损、丢失），减去盘盈的数量，各药品按其自身单位计。</translation>
    </message>
    <message>
        <source>Sign-offs</source>
        <translation>签名确认</translation>
    </message>
    <message>
        <source>Explain an adherence flag</source>
        <translation>说明依从性标记</translation>
    </message>
    <message>
        <source>e.g. drug held 8 days</source>
        <translation>例如：暂停用药 8 天</translation>
    </message>
    <message>
        <source>e.g. drug held by the investigator for 8 days</source>
        <translation>例如：研究者暂停用药 8 天</translation>
    </message>
    <message>
        <source>Re&amp;cord reason</source>
        <translation>记录原因(&amp;C)</translation>
    </message>
    <message>
        <source>Sign off this reconciliation</source>
        <translation>签名确认本次对账</translation>
    </message>
    <message>
        <source>optional: what was checked</source>
        <translation>可选：核查内容</translation>
    </message>
    <message>
        <source>Optional: what was checked, findings discussed</source>
        <translation>可选：核查内容、讨论的发现</translation>
    </message>
    <message>
        <source>&amp;Sign off...</source>
        <translation>签名确认(&amp;S)…</translation>
    </message>
    <message>
        <source>Physical count</source>
        <translation>盘点</translation>
    </message>
    <message>
        <source>Double-click a line to open the kit</source>
        <translation>双击一行可打开该药盒</translation>
    </message>
    <message>
        <source>The finding chosen on the Today screen is no longer to review: it was resolved since. The findings to review now are listed.</source>
        <translation>在“今日”屏幕上选择的发现已无需审核：此后已处理。下面列出当前待审核的发现。</translation>
    </message>
    <message>
        <source>Physical count ({n} to check)</source>
        <translation>盘点（{n} 项待核查）</translation>
    </message>
    <message>
        <source>Sign-offs ({n})</source>
        <translation>签名确认（{n}）</translation>
    </message>
    <message>
        <source>Worked out {time} {zone}</source>
        <translation>计算于 {time} {zone}</translation>
    </message>
    <message>
        <source>AUDIT TRAIL DOES NOT VERIFY: the figures cannot be trusted, balanced or not. {problem}</source>
        <translation>稽查轨迹未通过验证：无论是否平衡，各项数据均不可信。{problem}</translation>
    </message>
    <message>
        <source>BALANCED: the ledger balances for every product, lot and kit; {findings}.</source>
        <translation>账目平衡：每个药品、批号和药盒的台账均平衡；{findings}。</translation>
    </message>
    <message>
        <source>audit trail does NOT VERIFY</source>
        <translation>稽查轨迹未通过验证</translation>
    </message>
    <message>
        <source>Reconciliation of {protocol}: {state}, {n} finding</source>
        <translation>{protocol} 对账：{state}，{n} 项发现</translation>
    </message>
    <message>
        <source>Reconciliation of {protocol}: {state}, {n} findings</source>
        <translation>{protocol} 对账：{state}，{n} 项发现</translation>
    </message>
    <message>
        <source>{summary} ({review} to review)</source>
        <translation>{summary}（待审核 {review}）</translation>
    </message>
    <message>
        <source>Nothing was signed: the records changed since the reconciliation was opened. It has been read again and shows them now: look at it and sign off what you see.</source>
        <translation>未作任何签名：自打开对账以来记录已有变动。对账已重新读取，现显示最新记录：请查看后对您看到的内容签名确认。</translation>
    </message>
    <message>
        <source>Signed off by {name} ({role}), attesting: {attested}.</source>
        <translation>已由 {name}（{role}）签名确认，所确认的数据：{attested}。</translation>
    </message>
    <message>
        <source>SHELF AGREES WITH THE LAST COUNTS: {physical}; each last count found what the book said.</source>
        <translation>货架与最近盘点一致：{physical}；每次最近盘点均与账面相符。</translation>
    </message>
    <message>
        <source>Written off (adjusted): tablets physical counts took off the book (broken, lost), less the tablets they found.</source>
        <translation>核销（盘点调整）：实物盘点从账面核销的药片（破损、丢失），减去盘盈的药片。</translation>
    </message>
    <message>
        <source>To review</source>
        <translation>待审核</translation>
    </message>
    <message>
        <source>Count differences on record</source>
        <translation>盘点差异记录</translation>
    </message>
    <message>
        <source>F&amp;lag</source>
        <translation>标记(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Reason</source>
        <translation>原因(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Note</source>
        <translation>备注(&amp;N)</translation>
    </message>
    <message>
        <source>Double-click a line, or press Enter, to open its kit or participant (for a quarantine, the kit&apos;s history)</source>
        <translation>双击一行或按 Enter 可打开该药盒或受试者（隔离一行则打开药盒的历史记录）</translation>
    </message>
    <message>
        <source>To review ({count})</source>
        <translation>待审核（{count}）</translation>
    </message>
    <message>
        <source>Count differences on record ({count})</source>
        <translation>盘点差异记录（{count}）</translation>
    </message>
    <message>
        <source>to review: {count}</source>
        <translation>待审核：{count}</translation>
    </message>
    <message>
        <source>nothing to review</source>
        <translation>无待审核事项</translation>
    </message>
    <message>
        <source>NOT BALANCED: {n} line of the ledger does not balance; {findings}. See the To review tab.</source>
        <translation>账目不平衡：台账中有 {n} 行不平衡；{findings}。请查看“待审核”标签页。</translation>
    </message>
    <message>
        <source>NOT BALANCED: {n} lines of the ledger do not balance; {findings}. See the To review tab.</source>
        <translation>账目不平衡：台账中有 {n} 行不平衡；{findings}。请查看“待审核”标签页。</translation>
    </message>
    <message>
        <source>SHELF NOT CONFIRMED: {physical}. Only a physical count checks the shelf: see the Physical count tab.</source>
        <translation>货架未经确认：{physical}。只有实物盘点才能核查货架：请查看“盘点”标签页。</translation>
    </message>
    <message>
        <source>{participant}, cycle {cycle} ({dispense})</source>
        <translation>{participant}，第 {cycle} 周期（{dispense}）</translation>
    </message>
    <message>
        <source>No open adherence flag</source>
        <translation>无未处理的依从性标记</translation>
    </message>
    <message>
        <source>Reason recorded for {participant}, cycle {cycle} ({dispense}).</source>
        <translation>已记录 {participant} 第 {cycle} 周期（{dispense}）的原因。</translation>
    </message>
    <message>
        <source>NOT balanced</source>
        <translation>账目不平衡</translation>
    </message>
    <message>
        <source>{summary}; against the shelf: {physical}</source>
        <translation>{summary}；货架核对：{physical}</translation>
    </message>
</context>
<context>
    <name>ReleaseDialog</name>
    <message>
        <source>Release from quarantine</source>
        <translation>解除隔离</translation>
    </message>
    <message>
        <source>Kit {kits}: a quarantined kit goes back to usable stock only on the sponsor&apos;s written decision. Type the reference of that decision (or of its excursion assessment) and why.</source>
        <translation>药盒 {kits}：隔离的药盒仅凭申办方的书面决定才能回到可用库存。请输入该决定（或其温度超标评估）的编号和原因。</translation>
    </message>
    <message>
        <source>Kits {kits}: a quarantined kit goes back to usable stock only on the sponsor&apos;s written decision. Type the reference of that decision (or of its excursion assessment) and why.</source>
        <translation>药盒 {kits}：隔离的药盒仅凭申办方的书面决定才能回到可用库存。请输入该决定（或其温度超标评估）的编号和原因。</translation>
    </message>
    <message>
        <source>{kit}: {causes}</source>
        <translation>{kit}：{causes}</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>Held for (the sponsor&apos;s decision is to cover every one):</source>
        <translation>隔离原因（申办方的决定须涵盖每一项）：</translation>
    </message>
    <message>
        <source>&amp;Release</source>
        <translation>解除隔离(&amp;R)</translation>
    </message>
    <message>
        <source>… and {n} more kits</source>
        <translation>……另有 {n} 个药盒</translation>
    </message>
    <message>
        <source>e.g. TE-2026-014</source>
        <translation>例如 TE-2026-014</translation>
    </message>
    <message>
        <source>Sponsor&apos;s decision:</source>
        <translation>申办方决定：</translation>
    </message>
    <message>
        <source>Reason (kept in the audit trail)</source>
        <translation>理由（记入稽查轨迹）</translation>
    </message>
    <message>
        <source>Reason:</source>
        <translation>原因：</translation>
    </message>
</context>
<context>
    <name>ReportsScreen</name>
    <message>
        <source>A4</source>
        <translation>A4</translation>
    </message>
    <message>
        <source>US Letter</source>
        <translation>美国信纸</translation>
    </message>
    <message>
        <source>Reports and labels</source>
        <translation>报告与标签</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>All products</source>
        <translation>全部药品</translation>
    </message>
    <message>
        <source>No destruction on record yet</source>
        <translation>尚无销毁记录</translation>
    </message>
    <message>
        <source>Scan the kits or type e.g. K0001, K0002</source>
        <translation>扫描药盒或输入，例如 K0001, K0002</translation>
    </message>
    <message>
        <source>All kits, or scan one kit</source>
        <translation>全部药盒，或扫描一个药盒</translation>
    </message>
    <message>
        <source>Kit, participant, dispense, reason...</source>
        <translation>药盒、受试者、发放、原因…</translation>
    </message>
    <message>
        <source>Scan the label or type e.g. DSP000012</source>
        <translation>扫描标签或输入，例如 DSP000012</translation>
    </message>
    <message>
        <source>Nothing to choose: it covers all records.</source>
        <translation>无需选择：涵盖全部记录。</translation>
    </message>
    <message>
        <source>&amp;Create PDF</source>
        <translation>生成 PDF(&amp;C)</translation>
    </message>
    <message>
        <source>La&amp;bel printers…</source>
        <translation>标签打印机(&amp;B)…</translation>
    </message>
    <message>
        <source>&amp;Product</source>
        <translation>药品(&amp;P)</translation>
    </message>
    <message>
        <source>Partic&amp;ipant</source>
        <translation>受试者(&amp;I)</translation>
    </message>
    <message>
        <source>&amp;Lot</source>
        <translation>批号(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Shipment</source>
        <translation>货件(&amp;S)</translation>
    </message>
    <message>
        <source>Destr&amp;uction</source>
        <translation>销毁记录(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Kits</source>
        <translation>药盒(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Kit</source>
        <translation>药盒(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;User</source>
        <translation>用户(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Action</source>
        <translation>操作(&amp;A)</translation>
    </message>
    <message>
        <source>Te&amp;xt</source>
        <translation>文本(&amp;X)</translation>
    </message>
    <message>
        <source>&amp;Dispense</source>
        <translation>发放记录(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Expiring within</source>
        <translation>有效期剩余(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Weeks ahead</source>
        <translation>预测周数(&amp;W)</translation>
    </message>
    <message>
        <source>Peri&amp;od</source>
        <translation>期间(&amp;O)</translation>
    </message>
    <message>
        <source>L&amp;abel stock</source>
        <translation>标签纸(&amp;A)</translation>
    </message>
    <message>
        <source>Pape&amp;r</source>
        <translation>纸张(&amp;R)</translation>
    </message>
    <message>
        <source>The document could not be made. Try again; if it happens again, tell the administrator.</source>
        <translation>无法生成文档。请重试；如再次出现，请告知系统管理员。</translation>
    </message>
    <message>
        <source>days</source>
        <translation>天</translation>
    </message>
    <message>
        <source>weeks</source>
        <translation>周</translation>
    </message>
    <message>
        <source>number of days (expiring within)</source>
        <translation>有效期剩余天数</translation>
    </message>
    <message>
        <source>number of weeks ahead</source>
        <translation>预测周数</translation>
    </message>
    <message>
        <source>The preview appears here.</source>
        <translation>预览将显示在此处。</translation>
    </message>
    <message>
        <source>Sa&amp;ve as PDF...</source>
        <translation>另存为 PDF(&amp;V)…</translation>
    </message>
    <message>
        <source>Print a cop&amp;y...</source>
        <translation>打印副本(&amp;Y)…</translation>
    </message>
    <message>
        <source>All participants</source>
        <translation>全部受试者</translation>
    </message>
    <message>
        <source>All lots</source>
        <translation>全部批号</translation>
    </message>
    <message>
        <source>{lot} ({product}, exp {expiry})</source>
        <translation>{lot}（{product}，有效期 {expiry}）</translation>
    </message>
    <message>
        <source>{shipment} (received {day}, {n} kits)</source>
        <translation>{shipment}（{day} 接收，{n} 个药盒）</translation>
    </message>
    <message>
        <source>Authorisation {reference}: destructions No. {numbers}</source>
        <translation>授权 {reference}：销毁记录 {numbers}</translation>
    </message>
    <message>
        <source>Preparing: {title}...</source>
        <translation>正在生成：{title}…</translation>
    </message>
    <message>
        <source>1 page</source>
        <translation>1 页</translation>
    </message>
    <message>
        <source>{n} pages</source>
        <translation>{n} 页</translation>
    </message>
    <message>
        <source>Nothing to preview.</source>
        <translation>无可预览内容。</translation>
    </message>
    <message>
        <source>Reprint</source>
        <translation>补打</translation>
    </message>
    <message>
        <source>{title}: printed before. Why is it printed again? The reprint is marked REPRINT and recorded with your reason.</source>
        <translation>{title}：已打印过。为何需要再次打印？补打件将标注 REPRINT（补打），并与您的理由一并记录。</translation>
    </message>
    <message>
        <source>&amp;Reprint</source>
        <translation>补打(&amp;R)</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <translation>另存为 PDF</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>{refused} The print is recorded in the audit trail: to have the file, make it again (it is then a reprint).</source>
        <translation>{refused}此次打印已记入稽查轨迹：如需该文件，请重新生成（即为补打）。</translation>
    </message>
    <message>
        <source>{refused} The file was not saved: {path} is kept as it was before.</source>
        <translation>{refused}文件未保存：{path} 保持原样。</translation>
    </message>
    <message>
        <source>{refused} The file was not kept.</source>
        <translation>{refused}文件未保留。</translation>
    </message>
    <message>
        <source>Saved to {path}.</source>
        <translation>已保存到 {path}。</translation>
    </message>
    <message>
        <source>the printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <source>{printer} did not take the document: check it is switched on, with paper loaded, then print again.</source>
        <translation>{printer} 未接收文档：请检查已开机并已装纸，然后再次打印。</translation>
    </message>
    <message>
        <source>Sent to {printer}, but not recorded in the audit trail: {refused}</source>
        <translation>已发送到 {printer}，但未记入稽查轨迹：{refused}</translation>
    </message>
    <message>
        <source>The print waits for its record (it is not printed again): press Record the print on the Dispense screen once the database is back, or record it as you sign out.</source>
        <translation>此次打印待记录（不会再次打印）：数据库恢复后请在“发放”界面按“记录此次打印”，或在退出登录时记录。</translation>
    </message>
    <message>
        <source>Sent to {printer}: one copy, not {copies}. A label prints once; for another copy, make it again and reprint it, with the reason.</source>
        <translation>已发送到 {printer}：只打印一份，而非 {copies} 份。标签每次只打印一份；如需再要一份，请重新生成并补打，同时填写原因。</translation>
    </message>
    <message>
        <source>Sent to {printer}.</source>
        <translation>已发送到 {printer}。</translation>
    </message>
    <message>
        <source>The print waits for its record (it is not printed again): record it as you sign out, once the database is back (you are asked then).</source>
        <translation>此次打印待记录（不会再次打印）：数据库恢复后，请在退出登录时记录（届时会询问您）。</translation>
    </message>
    <message>
        <source>{key} ({count})</source>
        <translation>{key}（{count}）</translation>
    </message>
    <message>
        <source>&lt;b&gt;{title}&lt;/b&gt; (printed; make it again to print a marked reprint)</source>
        <translation>&lt;b&gt;{title}&lt;/b&gt;（已打印；如需补打，请重新生成，补打件将带有补打标记）</translation>
    </message>
</context>
<context>
    <name>RowTableModel</name>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
</context>
<context>
    <name>Screen</name>
    <message>
        <source>Reconciliation</source>
        <translation>对账</translation>
    </message>
    <message>
        <source>Reports and labels</source>
        <translation>报告与标签</translation>
    </message>
    <message>
        <source>Audit trail</source>
        <translation>稽查轨迹</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度记录</translation>
    </message>
    <message>
        <source>Inventory</source>
        <translation>库存</translation>
    </message>
</context>
<context>
    <name>TemperatureScreen</name>
    <message>
        <source>Temperature records</source>
        <translation>温度记录</translation>
    </message>
    <message>
        <source>Import a data logger&apos;s export (CSV with the columns &apos;timestamp&apos; and &apos;celsius&apos;). Readings outside {range} are excursions: the study&apos;s available kits stored in that area are quarantined until released in the inventory. Another study&apos;s kits there are judged by that study&apos;s own range. A time without a zone is read in this computer&apos;s zone, {zone}; times here are shown in it.</source>
        <translation>导入温度记录仪的导出文件（含 timestamp 和 celsius 两列的 CSV）。超出 {range} 的读数即为温度超标：本研究储存在该区域的可用药盒将被隔离，直至在库存中解除隔离。该区域内其他研究的药盒按该研究自身的温度范围判断。未注明时区的时间按本计算机的时区 {zone} 读取；此处的时间也以该时区显示。</translation>
    </message>
    <message>
        <source>Import a logger file</source>
        <translation>导入记录仪文件</translation>
    </message>
    <message>
        <source>Path of the logger&apos;s CSV export</source>
        <translation>记录仪 CSV 导出文件的路径</translation>
    </message>
    <message>
        <source>&lt;b&gt;Logger files checked&lt;/b&gt;</source>
        <translation>&lt;b&gt;已检查的记录仪文件&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Excursions on record&lt;/b&gt;</source>
        <translation>&lt;b&gt;已记录的温度超标&lt;/b&gt;</translation>
    </message>
    <message>
        <source>&lt;b&gt;Kits quarantined by the selected excursion&lt;/b&gt;</source>
        <translation>&lt;b&gt;因所选温度超标而隔离的药盒&lt;/b&gt;</translation>
    </message>
    <message>
        <source>No logger file imported yet for this study&apos;s storage areas: import the logger&apos;s export (Import and check).</source>
        <translation>本研究的储存区域尚未导入任何记录仪文件：请导入记录仪的导出文件（导入并检查）。</translation>
    </message>
    <message>
        <source>No logger file imported yet for {area}.</source>
        <translation>{area} 尚未导入任何记录仪文件。</translation>
    </message>
    <message>
        <source>{start} to {end}</source>
        <translation>{start} 至 {end}</translation>
    </message>
    <message>
        <source>…</source>
        <translation>……</translation>
    </message>
    <message>
        <source>It began after {before} and ended before {after}: between them at the longest.</source>
        <translation>始于 {before} 之后、止于 {after} 之前：最长为这两个时间之间。</translation>
    </message>
    <message>
        <source>It began after {before}; no reading within the range after it.</source>
        <translation>始于 {before} 之后；其后没有范围内的读数。</translation>
    </message>
    <message>
        <source>It ended before {after}; no reading within the range before it.</source>
        <translation>止于 {after} 之前；其前没有范围内的读数。</translation>
    </message>
    <message>
        <source>In this computer&apos;s time, {zone}</source>
        <translation>按本计算机的时区显示：{zone}</translation>
    </message>
    <message>
        <source>{low}–{high} °C</source>
        <translation>{low}–{high} °C</translation>
    </message>
    <message>
        <source>The logger file could not be imported. Try again; if it happens again, tell the administrator.</source>
        <translation>无法导入记录仪文件。请重试；如再次出现，请告知系统管理员。</translation>
    </message>
    <message>
        <source>Enter a thermometer reading by hand</source>
        <translation>手工录入温度计读数</translation>
    </message>
    <message>
        <source>YYYY-MM-DD HH:MM</source>
        <translation>YYYY-MM-DD HH:MM</translation>
    </message>
    <message>
        <source>°C</source>
        <translation>°C</translation>
    </message>
    <message>
        <source>the reading entered by hand</source>
        <translation>手工记录的读数</translation>
    </message>
    <message>
        <source>{period}, {range}</source>
        <translation>{period}，{range}</translation>
    </message>
    <message>
        <source>1 logger file</source>
        <translation>1 个记录仪文件</translation>
    </message>
    <message>
        <source>{n} logger files</source>
        <translation>{n} 个记录仪文件</translation>
    </message>
    <message>
        <source>1 excursion</source>
        <translation>1 次温度超标</translation>
    </message>
    <message>
        <source>&amp;Choose file…</source>
        <translation>选择文件(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Import and check</source>
        <translation>导入并检查(&amp;I)</translation>
    </message>
    <message>
        <source>Storage &amp;area</source>
        <translation>储存区域(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Logger file</source>
        <translation>记录仪文件(&amp;L)</translation>
    </message>
    <message>
        <source>O&amp;pen in inventory to release or destroy</source>
        <translation>在库存中打开，以解除隔离或销毁(&amp;P)</translation>
    </message>
    <message>
        <source>Record r&amp;eading</source>
        <translation>记录读数(&amp;E)</translation>
    </message>
    <message>
        <source>St&amp;orage area</source>
        <translation>储存区域(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Read at</source>
        <translation>读取时间(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Minimum</source>
        <translation>最低(&amp;M)</translation>
    </message>
    <message>
        <source>Ma&amp;ximum</source>
        <translation>最高(&amp;X)</translation>
    </message>
    <message>
        <source>{n} excursions</source>
        <translation>{n} 次温度超标</translation>
    </message>
    <message>
        <source>{excursions} in {files} of {area}; last: {period}</source>
        <translation>{area} 的 {files}中有 {excursions}；最近一份：{period}</translation>
    </message>
    <message>
        <source>No excursions in {files} of {area}; last: {period}</source>
        <translation>{area} 的 {files}中无温度超标；最近一份：{period}</translation>
    </message>
    <message>
        <source>1 reading entered by hand</source>
        <translation>1 条手工记录的读数</translation>
    </message>
    <message>
        <source>{n} readings entered by hand</source>
        <translation>{n} 条手工记录的读数</translation>
    </message>
    <message>
        <source>{files} and {readings}</source>
        <translation>{files}和 {readings}</translation>
    </message>
    <message>
        <source>Logger export</source>
        <translation>记录仪导出文件</translation>
    </message>
    <message>
        <source>Logger exports (*.csv *.txt);;All (*)</source>
        <translation>记录仪导出文件 (*.csv *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Choose the logger&apos;s CSV file first.</source>
        <translation>请先选择记录仪的 CSV 文件。</translation>
    </message>
    <message>
        <source>Importing {name}…</source>
        <translation>正在导入 {name}……</translation>
    </message>
    <message>
        <source>There is no file {path}. Check the name and folder.</source>
        <translation>文件 {path} 不存在。请检查文件名和文件夹。</translation>
    </message>
    <message>
        <source>{path} is a folder; choose the CSV file inside it.</source>
        <translation>{path} 是文件夹；请选择其中的 CSV 文件。</translation>
    </message>
    <message>
        <source>The logger file {name} could not be read. Check that this account may open it and that it is not open in another program, then import it again.</source>
        <translation>无法读取记录仪文件 {name}。请确认此账户有权打开它，且它未在其他程序中打开，然后重新导入。</translation>
    </message>
    <message>
        <source>Nothing was saved: the study file of {protocol} was updated after this screen was opened. The screen read it again (version {version}), with the logger file and storage area as chosen: check the temperature range, then import the file again.</source>
        <translation>未保存任何内容：{protocol} 的研究文件在本界面打开后已更新。本界面已重新载入该文件（第 {version} 版），所选的记录仪文件和储存区域保持不变：请核对温度范围，然后重新导入该文件。</translation>
    </message>
    <message>
        <source>Read as {encoding} text (Chinese Windows), not UTF-8.</source>
        <translation>按 {encoding} 编码（中文 Windows）读取，而非 UTF-8。</translation>
    </message>
    <message>
        <source>No new excursion in {name}. The check is recorded in the audit trail.</source>
        <translation>{name}中没有新的温度超标。此次核查已记入稽查轨迹。</translation>
    </message>
    <message>
        <source>No excursion in {name}: every reading was within limits. The check is recorded in the audit trail.</source>
        <translation>{name}中无温度超标：所有读数均在限值内。本次检查已记入稽查轨迹。</translation>
    </message>
    <message>
        <source>No excursion in {name} for this study: every reading was within its limits.</source>
        <translation>{name}中本研究无温度超标：所有读数均在本研究的限值内。</translation>
    </message>
    <message>
        <source>{n} kit quarantined: {kits}</source>
        <translation>已隔离 {n} 个药盒：{kits}</translation>
    </message>
    <message>
        <source>{n} kits quarantined: {kits}</source>
        <translation>已隔离 {n} 个药盒：{kits}</translation>
    </message>
    <message>
        <source>{n} excursion found in {name} for {area}; {quarantined}. Ask the sponsor whether to release or reject them.</source>
        <translation>{area}：在{name}中发现 {n} 次温度超标；{quarantined}。请询问申办方是解除隔离还是拒收。</translation>
    </message>
    <message>
        <source>{n} excursions found in {name} for {area}; {quarantined}. Ask the sponsor whether to release or reject them.</source>
        <translation>{area}：在{name}中发现 {n} 次温度超标；{quarantined}。请询问申办方是解除隔离还是拒收。</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} 分钟</translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation>{n} 秒</translation>
    </message>
    <message>
        <source>The logger recorded nothing from {start} to {end} (it reads every {every}): a gap in the temperature log.</source>
        <translation>记录仪在 {start} 至 {end} 之间没有读数（它每 {every}读数一次）：温度记录间断。</translation>
    </message>
    <message>
        <source>A reading next to it is outside the range: how long that excursion lasted is not known.</source>
        <translation>间断旁的读数超出范围：该次温度超标持续多久无从知道。</translation>
    </message>
    <message>
        <source>The excursion of {start} to {end}:</source>
        <translation>{start} 至 {end} 的温度超标：</translation>
    </message>
    <message>
        <source>The excursion of {start} to {end} is on record already (no. {number}, imported on {day} from {source}): not recorded again.</source>
        <translation>{start} 至 {end} 的温度超标已有记录（第 {number} 号，于 {day} 从{source}导入）：不再重复记录。</translation>
    </message>
    <message>
        <source>The excursion of {start} (no. {number}) is the rest of excursion no. {earlier} on record: a kit released since is quarantined again, for the sponsor to judge the longer excursion.</source>
        <translation>{start} 的温度超标（第 {number} 号）是已有记录的第 {earlier} 号温度超标的后续部分：此后已解除隔离的药盒再次隔离，由申办方对更长的温度超标作出判断。</translation>
    </message>
    <message>
        <source>Study {study} (kept at {range}): readings outside its range, while none of its kits was on the shelf.</source>
        <translation>研究 {study}（保存于 {range}）：有读数超出其范围，当时货架上没有该研究的药盒。</translation>
    </message>
    <message>
        <source>Study {study} (kept at {range}): {n} kit quarantined: {kits}.</source>
        <translation>研究 {study}（保存于 {range}）：已隔离 {n} 个药盒：{kits}。</translation>
    </message>
    <message>
        <source>Study {study} (kept at {range}): {n} kits quarantined: {kits}.</source>
        <translation>研究 {study}（保存于 {range}）：已隔离 {n} 个药盒：{kits}。</translation>
    </message>
    <message>
        <source>{n} kit of a study you have no access to was quarantined, outside that study&apos;s own temperature range; its pharmacist sees it on the Temperature screen and in the inventory.</source>
        <translation>您无权访问的另一项研究有 {n} 个药盒已隔离（超出该研究自身的温度范围）；该研究的药师可在“温度记录”界面和库存中看到。</translation>
    </message>
    <message>
        <source>{n} kits of a study you have no access to were quarantined, outside that study&apos;s own temperature range; its pharmacist sees them on the Temperature screen and in the inventory.</source>
        <translation>您无权访问的另一项研究有 {n} 个药盒已隔离（超出该研究自身的温度范围）；该研究的药师可在“温度记录”界面和库存中看到。</translation>
    </message>
    <message>
        <source>&lt;b&gt;{n} kit quarantined by the excursion of {start}&lt;/b&gt; (its status today is shown)</source>
        <translation>&lt;b&gt;{start} 的温度超标导致 {n} 个药盒被隔离&lt;/b&gt;（显示其当前状态）</translation>
    </message>
    <message>
        <source>&lt;b&gt;{n} kits quarantined by the excursion of {start}&lt;/b&gt; (their status today is shown)</source>
        <translation>&lt;b&gt;{start} 的温度超标导致 {n} 个药盒被隔离&lt;/b&gt;（显示其当前状态）</translation>
    </message>
    <message>
        <source>and {n} kit in the store during it that was in quarantine already, not quarantined again: {kits}</source>
        <translation>另有 {n} 个药盒在此期间存放于该处、此前已隔离，不再重复隔离：{kits}</translation>
    </message>
    <message>
        <source>and {n} kits in the store during it that were in quarantine already, not quarantined again: {kits}</source>
        <translation>另有 {n} 个药盒在此期间存放于该处、此前已隔离，不再重复隔离：{kits}</translation>
    </message>
    <message>
        <source>no available kit was stored there</source>
        <translation>该区域未储存可用药盒</translation>
    </message>
</context>
<context>
    <name>Vocabulary</name>
    <message>
        <source>Available</source>
        <translation>可用</translation>
    </message>
    <message>
        <source>Quarantined</source>
        <translation>已隔离</translation>
    </message>
    <message>
        <source>Dispensed</source>
        <translation>已发放</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>已退回</translation>
    </message>
    <message>
        <source>Destroyed</source>
        <translation>已销毁</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <source>Too short-dated</source>
        <translation>效期不足</translation>
    </message>
    <message>
        <source>Expires soon</source>
        <translation>即将过期</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>已接收</translation>
    </message>
    <message>
        <source>Returned by participant</source>
        <translation>受试者退回</translation>
    </message>
    <message>
        <source>Destroyed / returned to sponsor</source>
        <translation>已销毁／退回申办方</translation>
    </message>
    <message>
        <source>Count adjustment</source>
        <translation>盘点调整</translation>
    </message>
    <message>
        <source>Audit trail damaged</source>
        <translation>稽查轨迹受损</translation>
    </message>
    <message>
        <source>Does not balance</source>
        <translation>账目不平衡</translation>
    </message>
    <message>
        <source>Status differs from ledger</source>
        <translation>状态与台账不符</translation>
    </message>
    <message>
        <source>Count difference</source>
        <translation>盘点差异</translation>
    </message>
    <message>
        <source>Count difference not adjusted</source>
        <translation>盘点差异未调整</translation>
    </message>
    <message>
        <source>Adherence flag</source>
        <translation>依从性标记</translation>
    </message>
    <message>
        <source>Return overdue</source>
        <translation>逾期未退回</translation>
    </message>
    <message>
        <source>Expired in stock</source>
        <translation>过期药品仍在库</translation>
    </message>
    <message>
        <source>In quarantine</source>
        <translation>隔离中</translation>
    </message>
    <message>
        <source>Pharmacist</source>
        <translation>药师</translation>
    </message>
    <message>
        <source>Technician</source>
        <translation>药房技术员</translation>
    </message>
    <message>
        <source>Monitor</source>
        <translation>监查员</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>系统管理员</translation>
    </message>
    <message>
        <source>Breakage</source>
        <translation>破损</translation>
    </message>
    <message>
        <source>Miscount</source>
        <translation>计数错误</translation>
    </message>
    <message>
        <source>Lost</source>
        <translation>丢失</translation>
    </message>
    <message>
        <source>Found</source>
        <translation>找回</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <source>On treatment</source>
        <translation>治疗中</translation>
    </message>
    <message>
        <source>Discontinued</source>
        <translation>已终止治疗</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>已完成治疗</translation>
    </message>
    <message>
        <source>Enrolled in error (voided)</source>
        <translation>误录入组（已作废）</translation>
    </message>
    <message>
        <source>Under-use (missed doses)</source>
        <translation>用药不足（漏服）</translation>
    </message>
    <message>
        <source>Over-use (safety signal)</source>
        <translation>用药过量（安全性信号）</translation>
    </message>
    <message>
        <source>Not brought back (unaccounted for)</source>
        <translation>未带回（去向不明）</translation>
    </message>
    <message>
        <source>Not brought back ({units} unaccounted for)</source>
        <translation>未带回（{units}数不明）</translation>
    </message>
    <message>
        <source>Damaged or contaminated</source>
        <translation>破损或污染</translation>
    </message>
    <message>
        <source>Temperature excursion (sponsor rejected)</source>
        <translation>温度超标（申办方拒收）</translation>
    </message>
    <message>
        <source>Recall of the lot</source>
        <translation>批号召回</translation>
    </message>
    <message>
        <source>Study closed or treatment ended</source>
        <translation>研究结束或治疗终止</translation>
    </message>
    <message>
        <source>Other written instruction of the sponsor</source>
        <translation>申办方的其他书面指示</translation>
    </message>
    <message>
        <source>Received into quarantine</source>
        <translation>接收后隔离</translation>
    </message>
    <message>
        <source>Dispense voided</source>
        <translation>发放已作废</translation>
    </message>
    <message>
        <source>Not brought back by participant</source>
        <translation>受试者未带回</translation>
    </message>
    <message>
        <source>Released from quarantine</source>
        <translation>已解除隔离</translation>
    </message>
    <message>
        <source>a reason code</source>
        <translation>原因代码</translation>
    </message>
    <message>
        <source>the reason, in a few words</source>
        <translation>简要说明原因</translation>
    </message>
    <message>
        <source>a second person who may verify counts, and their password</source>
        <translation>核对人（另一位有权核对盘点的用户）及其密码</translation>
    </message>
    <message>
        <source>a reason to dispense anyway</source>
        <translation>仍然发放的理由</translation>
    </message>
    <message>
        <source>who ordered it (the investigator)</source>
        <translation>下达医嘱者（研究者）</translation>
    </message>
</context>
</TS>
